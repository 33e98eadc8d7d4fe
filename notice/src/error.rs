//! Errors of cleaning. Parsing does not fail: a text with no recognisable notice parses to none.

/// What can go wrong turning bytes into a [`crate::CleanDocument`].
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    /// The configured or declared charset is not one encoding_rs knows.
    #[error("unknown charset {0:?}")]
    UnknownCharset(String),
    /// The configured content selector is not valid CSS.
    #[error("invalid content selector {selector:?}: {reason}")]
    InvalidSelector {
        /// The selector as configured.
        selector: String,
        /// Why scraper rejected it.
        reason: String,
    },
    /// The input held no text at all after cleaning.
    #[error("no text found in the input")]
    NoText,
    /// The input is not HTML or text but another document format (PDF, DOCX, DOC/WPS, OFD,
    /// an archive, an image or other binary data), which the cleaner does not read.
    #[error("unsupported_format: the input is {0}, not HTML or text")]
    UnsupportedFormat(crate::format::DocumentFormat),
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, NoticeError>;
