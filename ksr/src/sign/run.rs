//! How the builder's signatures get made, once [`super::skr`] has decided what
//! each bundle holds: over several signers at once (on a token, several
//! sessions), each signature verified once as soon as it is made, the cores
//! shared between signing and verifying.
//!
//! Signers take the next signature in document order from a shared counter and
//! store it in that signature's own slot, so the document is the same whatever
//! the number of signers and whichever finishes first. When a run fails, the
//! error reported is the one of the earliest signature in document order.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};

use super::wire::{SigningData, Verifier};
use super::{Ksks, SignError, SignRaw};
use crate::model::Bundle;

/// One signature to make: bundle index (document order) and signature index.
#[derive(Debug, Clone, Copy)]
struct Job {
    bundle: usize,
    sig: usize,
}

/// What every thread of a run shares.
struct Run<'a> {
    owner: &'a str,
    bundles: &'a [Bundle],
    jobs: Vec<Job>,
    verifiers: Vec<(&'a str, Verifier)>,
    next: AtomicUsize,
    done: AtomicUsize,
    stop: AtomicBool,
    signatures: Vec<OnceLock<Vec<u8>>>,
    errors: Mutex<Vec<(usize, SignError)>>,
}

impl Run<'_> {
    fn fail(&self, job: usize, e: SignError) {
        self.stop.store(true, Ordering::Relaxed);
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((job, e));
    }

    /// The next job for a signer, or None when all are taken or the run stopped.
    fn take(&self) -> Option<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        let j = self.next.fetch_add(1, Ordering::Relaxed);
        (j < self.jobs.len()).then_some(j)
    }

    fn data(&self, j: usize, enc: &mut SigningData, buf: &mut Vec<u8>) -> Result<(), SignError> {
        let Job { bundle, sig } = self.jobs[j];
        let b = &self.bundles[bundle];
        enc.write(&b.signatures[sig], &b.keys, buf)
            .map_err(|e| SignError::Input(format!("bundle {}: {e}", b.id)))
    }

    /// Makes signature `j` with `signer` over `buf` (its signing data).
    fn sign(&self, j: usize, signer: &mut dyn SignRaw, buf: &[u8]) -> Result<(), SignError> {
        let Job { bundle, sig } = self.jobs[j];
        let b = &self.bundles[bundle];
        let label = &b.signatures[sig].key_identifier;
        let signature = signer.sign_raw(label, buf).map_err(|e| {
            e.during(format!(
                "while signing bundle {} of {} ({})",
                bundle + 1,
                self.bundles.len(),
                b.id
            ))
        })?;
        let _ = self.signatures[j].set(signature);
        Ok(())
    }

    /// Verifies signature `j` (already made) over `buf` (its signing data).
    fn verify(&self, j: usize, buf: &[u8]) -> Result<(), SignError> {
        let Job { bundle, sig } = self.jobs[j];
        let b = &self.bundles[bundle];
        let label = b.signatures[sig].key_identifier.as_str();
        let bad = |reason: String| SignError::BadSignature {
            signer: label.to_string(),
            bundle: b.id.clone(),
            reason,
        };
        let verifier = self
            .verifiers
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v)
            .ok_or_else(|| bad("not one of the ceremony's KSKs".into()))?;
        let signature = self.signatures[j]
            .get()
            .ok_or_else(|| bad("no signature was stored (a bug)".into()))?;
        verifier
            .verify(buf, signature)
            .map_err(|e| bad(e.to_string()))
    }

    /// A signer's loop: take a job, sign it, and verify it here (`inline`) or
    /// hand it to the verifiers.
    fn signer_loop(
        &self,
        signer: &mut dyn SignRaw,
        verify_queue: Option<&mpsc::Sender<usize>>,
        progress: &mut dyn FnMut(usize),
    ) {
        let (mut enc, mut buf) = match SigningData::new(self.owner) {
            Ok(enc) => (enc, Vec::new()),
            Err(e) => return self.fail(0, SignError::Input(format!("KSR domain: {e}"))),
        };
        while let Some(j) = self.take() {
            let step = self
                .data(j, &mut enc, &mut buf)
                .and_then(|()| self.sign(j, signer, &buf))
                .and_then(|()| match verify_queue {
                    None => self.verify(j, &buf),
                    Some(q) => {
                        // The verifiers only hang up after a failure, which they report.
                        let _ = q.send(j);
                        Ok(())
                    }
                });
            match step {
                Ok(()) => progress(self.done.fetch_add(1, Ordering::Relaxed) + 1),
                Err(e) => return self.fail(j, e),
            }
        }
    }

    /// A verifier's loop over the jobs the signers hand over.
    fn verifier_loop(&self, queue: &Mutex<mpsc::Receiver<usize>>) {
        let Ok(mut enc) = SigningData::new(self.owner) else {
            return; // the signers report a bad owner
        };
        let mut buf = Vec::new();
        loop {
            let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
            let Ok(j) = next else { return };
            if let Err(e) = self
                .data(j, &mut enc, &mut buf)
                .and_then(|()| self.verify(j, &buf))
            {
                return self.fail(j, e);
            }
        }
    }
}

/// The number of threads the machine runs at once.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Fills in every signature of `bundles` (planned, with empty signature data)
/// with `signer` and up to `sessions - 1` more signers it offers, verifying
/// each. `progress` gets (bundles done, total) as signatures complete.
pub(super) fn sign_all(
    owner: &str,
    bundles: &mut [Bundle],
    ksks: &Ksks,
    signer: &mut dyn SignRaw,
    sessions: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), SignError> {
    let jobs: Vec<Job> = bundles
        .iter()
        .enumerate()
        .flat_map(|(bundle, b)| (0..b.signatures.len()).map(move |sig| Job { bundle, sig }))
        .collect();
    if jobs.is_empty() {
        progress(bundles.len(), bundles.len());
        return Ok(());
    }
    let mut verifiers = Vec::new();
    for pk in std::iter::once(&ksks.current).chain(&ksks.next) {
        let key = super::dnskey(pk, crate::model::flags::KSK, 0);
        let v =
            Verifier::new(&key).map_err(|e| SignError::Input(format!("KSK {}: {e}", pk.label)))?;
        verifiers.push((pk.label.as_str(), v));
    }
    let mut more = if sessions > 1 {
        signer.more_signers((sessions - 1).min(jobs.len() - 1))?
    } else {
        Vec::new()
    };
    let signers = 1 + more.len();
    // Cores the signers leave free verify; with none left, signers verify inline.
    let verifier_threads = cores().saturating_sub(signers);
    let total_bundles = bundles.len();
    let total_jobs = jobs.len();
    let run = Run {
        owner,
        bundles,
        signatures: (0..jobs.len()).map(|_| OnceLock::new()).collect(),
        jobs,
        verifiers,
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        errors: Mutex::new(Vec::new()),
    };
    let mut shown = 0;
    let mut report = |done_jobs: usize| {
        // Bundles done, as the share of signatures made (monotonic).
        let b = done_jobs * total_bundles / total_jobs;
        while shown < b {
            shown += 1;
            progress(shown, total_bundles);
        }
    };
    let (queue, inbox) = mpsc::channel::<usize>();
    let inbox = Mutex::new(inbox);
    std::thread::scope(|scope| {
        let run = &run;
        let inbox = &inbox;
        let queue = (verifier_threads > 0).then_some(queue);
        for _ in 0..verifier_threads {
            scope.spawn(move || run.verifier_loop(inbox));
        }
        for mut s in more.drain(..) {
            let q = queue.clone();
            scope.spawn(move || run.signer_loop(s.as_mut(), q.as_ref(), &mut |_| {}));
        }
        // This thread signs too: `signer` need not be Send (and progress is ours).
        run.signer_loop(signer, queue.as_ref(), &mut report);
        // Dropping the last sender lets the verifiers finish.
        drop(queue);
    });
    let Run {
        errors,
        signatures,
        jobs,
        ..
    } = run;
    let mut errors = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(pos) = (0..errors.len()).min_by_key(|&i| errors[i].0) {
        return Err(errors.swap_remove(pos).1);
    }
    report(total_jobs);
    for (job, signature) in jobs.iter().zip(signatures) {
        let s = signature.into_inner().ok_or_else(|| {
            SignError::Input("a signature was not made (a bug in the signing run)".into())
        })?;
        bundles[job.bundle].signatures[job.sig].signature_data = s;
    }
    Ok(())
}
