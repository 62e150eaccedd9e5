//! `attest files migrate --to …`: copies every object of one store into another, checking every
//! hash twice (read from the source, read back from the target). Resumable: an object the target
//! already holds with the right content is skipped, one it holds with other content is replaced.
//! The source is never changed.

use std::path::Path;

use super::{BlobStore, FoundFile, StorageError, copy_verified};

/// What became of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Copied and read back intact.
    Copied,
    /// Already in the target with the right content.
    AlreadyThere,
    /// In the target with other content; copied again and read back intact.
    Replaced,
    /// Not copied (the reason); the others go on.
    Failed(String),
}

/// What a migration did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Objects copied.
    pub copied: usize,
    /// Objects already in the target.
    pub already_there: usize,
    /// Objects replaced in the target.
    pub replaced: usize,
    /// Objects that failed: hash and reason.
    pub failed: Vec<(String, String)>,
    /// Bytes copied.
    pub bytes: u64,
}

/// Copies every object of `from` into `to`, staging each in `staging` (a local folder); calls
/// `progress` after each object with the number of objects in all. Fails only when the source
/// cannot be listed; each object's failure is in the summary.
pub fn migrate(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    staging: &Path,
    mut progress: impl FnMut(&FoundFile, &Outcome, usize),
) -> Result<Summary, StorageError> {
    let mut objects = from.objects()?;
    objects.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    let total = objects.len();
    let mut summary = Summary::default();
    for object in &objects {
        let outcome = match copy_one(from, to, staging, &object.sha256) {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(e.to_string()),
        };
        match &outcome {
            Outcome::Copied => summary.copied += 1,
            Outcome::AlreadyThere => summary.already_there += 1,
            Outcome::Replaced => summary.replaced += 1,
            Outcome::Failed(reason) => summary.failed.push((object.sha256.clone(), reason.clone())),
        }
        if matches!(outcome, Outcome::Copied | Outcome::Replaced) {
            summary.bytes += object.size;
        }
        progress(object, &outcome, total);
    }
    Ok(summary)
}

fn copy_one(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    staging: &Path,
    sha256: &str,
) -> Result<Outcome, StorageError> {
    let mut replacing = false;
    if to.contains(sha256)? {
        match copy_verified(to, sha256, &mut std::io::sink()) {
            Ok(_) => return Ok(Outcome::AlreadyThere),
            Err(StorageError::Corrupt(_)) => {
                // A store keeps content it already holds: the damaged copy goes first.
                to.remove(sha256)?;
                replacing = true;
            }
            Err(e) => return Err(e),
        }
    }
    let staged = staging.join(format!("migrate-{sha256}"));
    let result = (|| {
        let mut file = std::fs::File::create(&staged)?;
        copy_verified(from, sha256, &mut file).map_err(|e| match e {
            StorageError::Corrupt(sha) => StorageError::Remote(format!(
                "the source's copy of {sha} does not match its hash; not copied"
            )),
            other => other,
        })?;
        file.sync_all()?;
        drop(file);
        to.put(&staged, sha256)?;
        // Read back from the target: what arrived is what was sent.
        copy_verified(to, sha256, &mut std::io::sink())?;
        Ok(if replacing {
            Outcome::Replaced
        } else {
            Outcome::Copied
        })
    })();
    let _ = std::fs::remove_file(&staged);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{LocalStore, Receiving};

    fn stored(store: &LocalStore, content: &[u8]) -> String {
        let mut receiving = Receiving::start(&store.temp_dir(), 1 << 20).unwrap();
        receiving.write(content).unwrap();
        let received = receiving.finish().unwrap();
        store.put(&received.path, &received.sha256).unwrap();
        received.sha256.clone()
    }

    #[test]
    fn copies_everything_once_skips_what_is_there_and_replaces_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let from = LocalStore::new(dir.path().join("from")).unwrap();
        let to = LocalStore::new(dir.path().join("to")).unwrap();
        let a = stored(&from, b"%PDF-1.4 first");
        let b = stored(&from, b"%PDF-1.4 second");
        let mut seen = Vec::new();
        let first = migrate(&from, &to, &from.temp_dir(), |f, o, total| {
            seen.push((f.sha256.clone(), o.clone(), total));
        })
        .unwrap();
        assert_eq!((first.copied, first.already_there), (2, 0));
        assert_eq!(seen.len(), 2);
        assert!(to.contains(&a).unwrap() && to.contains(&b).unwrap());

        // Resumed: nothing to copy; a damaged copy in the target is replaced.
        std::fs::write(to.object_path(&b).unwrap(), b"damaged").unwrap();
        let again = migrate(&from, &to, &from.temp_dir(), |_, _, _| {}).unwrap();
        assert_eq!(
            (again.copied, again.already_there, again.replaced),
            (0, 1, 1)
        );
        assert_eq!(
            crate::storage::read_verified(&to, &b).unwrap(),
            b"%PDF-1.4 second"
        );

        // A damaged source object is reported, not copied; the others go on.
        let c = stored(&from, b"%PDF-1.4 third");
        std::fs::write(from.object_path(&c).unwrap(), b"rot").unwrap();
        let last = migrate(&from, &to, &from.temp_dir(), |_, _, _| {}).unwrap();
        assert_eq!(last.failed.len(), 1);
        assert_eq!(last.failed[0].0, c);
        assert!(!to.contains(&c).unwrap());
        assert_eq!(last.already_there, 2);
        assert!(std::fs::read_dir(from.temp_dir()).unwrap().next().is_none());
    }
}
