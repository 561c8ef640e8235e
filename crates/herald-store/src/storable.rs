//! Text as a Postgres `text` column can hold it: U+0000 (which a publisher's data, a
//! receiver's answer or a reason quoting either may contain) becomes U+FFFD, so a row is never
//! refused for it.

use std::borrow::Cow;

use herald_domain::replace_nul_in;

pub(crate) fn text(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(replace_nul_in(text))
    } else {
        Cow::Borrowed(text)
    }
}
