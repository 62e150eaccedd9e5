//! Credentials checked by an independent implementation: the signed Open Badges, the status list,
//! the statement PDF's attached credential, key rotation and audit checkpoints, with a Python
//! verifier (joserfc) that shares no code with Attest. A second test command,
//! `cargo test --test interop`, because it needs `python3` with `joserfc` (`pip install joserfc`);
//! it fails, never skips, when they are missing. `.ci/run` installs them and runs it. The mail
//! tests need `aiosmtpd` (`pip install aiosmtpd==1.4.6`), a real SMTP server they start; the object
//! store tests need `s3s-fs` (an S3-compatible server, `cargo install s3s-fs@0.14.1 --features
//! binary`), and the two-instance test PostgreSQL (`ATTEST_TEST_POSTGRES_URL`) as well.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../it/credentials.rs"]
mod credentials;
// The shared world-building helpers of the integration tests; not every one is used here.
// The API's paths, which the shared helpers build with; not every one is used here.
#[allow(dead_code)]
#[path = "../it/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "../it/helpers.rs"]
mod helpers;
mod instances;
mod s3;
mod smtp;
