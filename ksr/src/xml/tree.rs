//! The element tree `dom` builds: every element in one vector in document
//! order (pre-order), each knowing how many nodes its subtree spans, so the
//! tree costs a handful of allocations however many elements a long KSR holds,
//! and dropping it is cheap. Names, text and attribute values borrow from the
//! input where they stand in it unchanged (almost always).
//!
//! A tree built on two threads (`split`) keeps the second thread's elements
//! in a second part instead of copying them after the first.

use std::borrow::Cow;

/// An attribute: name and resolved value.
pub(crate) type Attr<'a> = (Cow<'a, str>, Cow<'a, str>);

/// One element as stored.
#[derive(Debug)]
pub(crate) struct Stored<'a> {
    pub name: Cow<'a, str>,
    /// The text directly inside the element (leading indentation not kept).
    pub text: Cow<'a, str>,
    /// Byte offset of the `<` of the start tag.
    pub pos: usize,
    /// Nodes in this element's subtree, itself included: its descendants are
    /// the `len - 1` nodes after it. 0 while the element is open.
    pub len: usize,
    /// Its attributes: `attrs[start..start + count]` of its part.
    pub attrs_start: usize,
    pub attrs_count: usize,
}

/// Elements in document order and their attributes.
#[derive(Debug, Default)]
pub(crate) struct Part<'a> {
    pub nodes: Vec<Stored<'a>>,
    pub attrs: Vec<Attr<'a>>,
}

impl Part<'_> {
    /// An empty part sized for an input of `bytes` bytes (a KSR has about
    /// one element per 35 bytes): growing the vectors would copy them.
    pub fn for_input(bytes: usize) -> Self {
        Part {
            nodes: Vec::with_capacity(bytes / 32 + 8),
            attrs: Vec::with_capacity(bytes / 128 + 8),
        }
    }
}

/// A whole document's elements: `head`, then `tail` (empty unless the tree
/// was built on two threads). Indices run through both.
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    pub(super) head: Part<'a>,
    pub(super) tail: Part<'a>,
}

impl<'a> Tree<'a> {
    /// The root element. A built tree always has one.
    pub fn root(&self) -> Node<'_> {
        self.node(0)
    }

    /// The element at `index` (document order).
    pub fn node(&self, index: usize) -> Node<'_> {
        let head = self.head.nodes.len();
        let (part, i) = if index < head {
            (&self.head, index)
        } else {
            (&self.tail, index - head)
        };
        Node {
            part,
            stored: &part.nodes[i],
            tree: self,
            index,
        }
    }

    /// Every element in document order (tests compare trees with it).
    #[cfg(test)]
    pub fn flat(&self) -> Vec<Flat<'_>> {
        fn walk<'t>(n: Node<'t>, depth: usize, out: &mut Vec<Flat<'t>>) {
            out.push(Flat {
                depth,
                name: n.name(),
                attrs: n.attrs().iter().map(|(k, v)| (&**k, &**v)).collect(),
                text: n.text(),
                pos: n.pos(),
            });
            for c in n.children() {
                walk(c, depth + 1, out);
            }
        }
        let mut out = Vec::new();
        walk(self.root(), 0, &mut out);
        let total = self.head.nodes.len() + self.tail.nodes.len();
        assert_eq!(out.len(), total, "every stored node is reachable once");
        out
    }
}

/// One element as tests compare it: depth, name, attributes, text, offset.
#[cfg(test)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Flat<'t> {
    depth: usize,
    name: &'t str,
    attrs: Vec<(&'t str, &'t str)>,
    text: &'t str,
    pos: usize,
}

/// A handle on one element of a [`Tree`].
#[derive(Clone, Copy)]
pub(crate) struct Node<'t> {
    tree: &'t Tree<'t>,
    part: &'t Part<'t>,
    stored: &'t Stored<'t>,
    index: usize,
}

impl<'t> Node<'t> {
    pub fn name(&self) -> &'t str {
        &self.stored.name
    }
    pub fn text(&self) -> &'t str {
        &self.stored.text
    }
    pub fn pos(&self) -> usize {
        self.stored.pos
    }
    /// Its place in the tree (document order).
    pub fn index(&self) -> usize {
        self.index
    }
    pub fn attrs(&self) -> &'t [Attr<'t>] {
        let s = self.stored;
        &self.part.attrs[s.attrs_start..s.attrs_start + s.attrs_count]
    }
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&'t str> {
        self.attrs()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &**v)
    }
    pub fn children(&self) -> Children<'t> {
        Children {
            tree: self.tree,
            next: self.index + 1,
            end: self.index + self.stored.len,
        }
    }
    pub fn first_child(&self) -> Option<Node<'t>> {
        self.children().next()
    }
    pub fn has_children(&self) -> bool {
        self.stored.len > 1
    }
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}> at {}", self.name(), self.pos())
    }
}

/// The child elements of a node, in document order.
pub(crate) struct Children<'t> {
    tree: &'t Tree<'t>,
    next: usize,
    end: usize,
}

impl<'t> Iterator for Children<'t> {
    type Item = Node<'t>;
    fn next(&mut self) -> Option<Node<'t>> {
        if self.next >= self.end {
            return None;
        }
        let node = self.tree.node(self.next);
        // A child's subtree ends where its next sibling starts.
        self.next += node.stored.len.max(1);
        Some(node)
    }
}
