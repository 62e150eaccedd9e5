use super::sets::prefill;
use super::*;

#[test]
fn prompts_read_as_questions() {
    assert_eq!(
        prefill("the limits of your authority;"),
        "Explain the limits of your authority."
    );
    assert_eq!(
        covers_of(&covers_text(&["K1".into()]).unwrap()).unwrap(),
        vec!["K1"]
    );
    assert!(is_recording("audio/mpeg") && is_recording("video/mp4"));
    assert!(!is_recording("application/pdf"));
}
