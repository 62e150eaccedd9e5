//! Adding evidence from the web: uploading a file (product evidence, an electronic data record) and
//! witness testimony — by the candidate (with their declaration) or the assessor. The upload is a
//! plain multipart form that works without JavaScript; with it, `attest.js` sends the same form
//! with a progress bar. The file is streamed to disk while hashed, exactly as the API's upload.

mod common;
mod testimony;
mod upload;

pub use common::*;
pub use testimony::*;
pub use upload::*;
