//! The tera templates, embedded in the binary so the service runs from any folder.

use tera::Tera;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Every template, by the name pages render it with.
const TEMPLATES: &[(&str, &str)] = embedded!["base.html", "pages/home.html", "pages/error.html",];

/// Parses every embedded template, with auto-escaping on for `.html`.
pub fn load() -> Result<Tera, tera::Error> {
    let mut tera = Tera::default();
    tera.add_raw_templates(TEMPLATES.iter().copied())?;
    tera.autoescape_on(vec![".html"]);
    Ok(tera)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        super::load().unwrap();
    }
}
