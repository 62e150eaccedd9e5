//! Documents Attest produces, pure (plain data in, bytes out): PDF statements (`pdf`) and the
//! formats exports are written in (`formats`: results files, portfolio archives, Open Badges).

pub mod formats;
pub mod pdf;
