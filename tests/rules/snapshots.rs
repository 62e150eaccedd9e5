//! The gap text of every example portfolio, in both views, kept as reviewed snapshots
//! (`tests/rules/snapshots/`): a change of wording shows up as a diff to review, not as silence.
//! Accept a reviewed change with `INSTA_UPDATE=always cargo test --test rules snapshots`.

use attest::rules::{Interpretations, View, evaluate};

use super::support::*;

#[test]
fn gap_text_of_the_example_portfolios() {
    for stem in SEEDS {
        let standard = standard(stem);
        for which in ["complete", "incomplete"] {
            let portfolio = portfolio(&portfolio_path(stem, which));
            for view in [View::Confirmed, View::Claimed] {
                let report = evaluate(&standard, &portfolio, view, &Interpretations::new());
                let name = format!("{stem}-{which}-{view}");
                insta::assert_yaml_snapshot!(name, gaps(&report));
            }
        }
    }
}
