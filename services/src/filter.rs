//! The ListNotices filter: a small subset of AIP-160. Terms are `field = "value"` joined by
//! `AND`; values are double-quoted strings. Fields: `organisation` (resource name, name or
//! alias), `kind` (inspection kind), `team` (inspection team).

use crate::error::ApiError;

/// One `field = "value"` term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The field name.
    pub field: FilterField,
    /// The value without quotes.
    pub value: String,
}

/// Fields a filter may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    /// The notice's organisation.
    Organisation,
    /// The inspection kind.
    Kind,
    /// The inspection team.
    Team,
}

/// Parses a filter expression; the empty string is the empty filter.
pub fn parse(filter: &str) -> Result<Vec<Term>, ApiError> {
    let invalid = |description: String| ApiError::InvalidArgument {
        field: "filter",
        description,
    };
    let mut terms = Vec::new();
    let trimmed = filter.trim();
    if trimmed.is_empty() {
        return Ok(terms);
    }
    for part in trimmed.split(" AND ") {
        let (field, value) = part
            .split_once('=')
            .ok_or_else(|| invalid(format!("expected field = \"value\" in {part:?}")))?;
        let field = match field.trim() {
            "organisation" | "organization" => FilterField::Organisation,
            "kind" | "inspection.kind" => FilterField::Kind,
            "team" | "inspection.team" => FilterField::Team,
            other => {
                return Err(invalid(format!(
                    "unknown field {other:?}; use organisation, kind or team"
                )));
            }
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| invalid(format!("value {value:?} must be double-quoted")))?;
        terms.push(Term {
            field,
            value: value.to_owned(),
        });
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_terms_and_rejects_nonsense() {
        let terms = parse(r#"organisation = "甲区委" AND kind = "巡察""#).expect("valid");
        assert_eq!(terms.len(), 2);
        assert_eq!(terms[0].value, "甲区委");
        assert!(parse("colour = \"red\"").is_err());
        assert!(parse("kind = 巡察").is_err());
        assert!(parse("kind").is_err());
        assert!(parse("  ").expect("empty").is_empty());
    }
}
