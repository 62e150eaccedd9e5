//! The rules engine: evaluates a portfolio against its standard and says exactly what is met and what
//! is missing. Pure: no actix, no diesel, no tera, no printpdf.
//!
//! ```text
//! Standard + Interpretations ──► Plan (ids → indexes, rules compiled, competing counts grouped)
//! Portfolio + View           ──► Facts (judgements read for the view, references resolved)
//!                            ──► Pass (constraints set evidence aside; requirements evaluated;
//!                                      competing counts solved as a matching)
//!                            ──► Report (statuses, evidence, progress, gaps) ──► render_text / JSON
//! ```
//!
//! [`evaluate`] is the whole of it; [`Engine`] keeps the compiled standard for many portfolios.

mod assemble;
mod bits;
mod checks;
pub mod command;
mod facts;
mod gaps;
mod hash;
pub mod matching;
mod pass;
mod phrases;
mod plan;
pub mod portfolio;
pub mod references;
mod render;
pub mod report;
mod words;

pub use command::{EvaluateError, Format, evaluate_files};

/// The engine's revision: raise it whenever a change to the engine (or to the report's shape) can
/// change what it says of a portfolio, so every stored evaluation is recomputed when read.
pub const ENGINE_REVISION: i32 = 1;
pub use portfolio::Portfolio;
pub use render::render_text;
pub use report::{Gap, GapKind, Progress, Report, Status, View};

pub use crate::standards::Interpretations;

use crate::standards::Standard;

use checks::{Ctx, Mode};
use plan::Plan;

/// Evaluates `portfolio` against `standard` in `view`, applying the provider's `interpretations` of
/// ambiguous rules (a choice that does not fit a rule falls back to its default; the report says so).
///
/// Only [`View::Confirmed`] can make the unit complete. The same input gives byte-identical output.
pub fn evaluate<'a>(
    standard: &'a Standard,
    portfolio: &'a Portfolio,
    view: View,
    interpretations: &Interpretations,
) -> Report<'a> {
    Engine::new(standard, interpretations).evaluate(portfolio, view)
}

/// A standard compiled once, for evaluating many portfolios against it.
pub struct Engine<'s> {
    plan: Plan<'s>,
}

impl<'s> Engine<'s> {
    /// Compiles `standard` with the provider's `interpretations`.
    pub fn new(standard: &'s Standard, interpretations: &Interpretations) -> Engine<'s> {
        Engine {
            plan: Plan::new(standard, interpretations),
        }
    }

    /// Evaluates one portfolio; see [`evaluate`]. The report borrows from the standard and the
    /// portfolio.
    pub fn evaluate<'r>(&self, portfolio: &'r Portfolio, view: View) -> Report<'r>
    where
        's: 'r,
    {
        let plan: &Plan<'r> = &self.plan;
        let facts = facts::resolve(plan, portfolio, view);
        let ctx = Ctx {
            plan,
            facts: &facts,
            view,
        };
        let actual = pass::run(
            &ctx,
            Mode {
                hopeful: false,
                describe: true,
            },
        );
        let complete = actual_complete(&ctx, &actual);
        // The hopeful pass only words the gaps, so a portfolio with none skips it.
        let hopeful = (!complete).then(|| {
            pass::run(
                &ctx,
                Mode {
                    hopeful: true,
                    describe: false,
                },
            )
        });
        let mut report = assemble::report(&ctx, portfolio, actual, hopeful.as_ref());
        for (instance, label) in report.evidence.iter_mut().zip(facts.labels) {
            instance.label = label;
        }
        report
    }
}

/// Whether every requirement is met in the actual pass (before the view decides completeness).
fn actual_complete(ctx: &Ctx, pass: &pass::Pass) -> bool {
    let plan = ctx.plan;
    let criteria = (0..plan.criteria.len()).all(|c| pass.covered.contains(c));
    let knowledge = plan
        .knowledge_required
        .ones()
        .all(|k| pass.knowledge_covered.contains(k));
    let rules = (0..plan.rules.len()).all(|r| pass.rule_met(ctx, r));
    criteria && knowledge && rules
}
