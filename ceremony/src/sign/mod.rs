//! KSR -> SKR signing, KSR requests and trust anchors (owner: ceremony-sign work).
