//! What a new password must be: 12 to 128 characters, not all whitespace, not one
//! character repeated, not containing the username, and not one of the 30,000 most common
//! passwords.
//!
//! The common passwords are the `passwords` frequency list shipped by `zxcvbn` (Dropbox's
//! password strength estimator, MIT licence; taken from its Python port, version 4.5.0),
//! itself drawn from Mark Burnett's ten million leaked passwords. The list is compared
//! case-insensitively and built into a set only when a password is set, never at login.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Shortest password accepted, in characters (not bytes).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// One common password per line, most common first.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// How many passwords the common list holds.
pub fn common_password_count() -> usize {
    common().len()
}

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect()
    })
}

/// Checks a new password for `username`; the error is a message for the caller.
pub fn check_strength(password: &str, username: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
    }
    if password.chars().all(char::is_whitespace) {
        return Err("must not be only whitespace".into());
    }
    let mut distinct = password.chars();
    if let Some(first) = distinct.next()
        && distinct.all(|c| c == first)
    {
        return Err("must not be a single character repeated".into());
    }
    let lowered = password.to_lowercase();
    let username = username.trim().to_lowercase();
    if !username.is_empty() && lowered.contains(&username) {
        return Err("must not contain the username".into());
    }
    if common().contains(lowered.trim()) {
        return Err("is one of the most common passwords; choose another".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_list_is_large() {
        assert!(
            common_password_count() >= 10_000,
            "{}",
            common_password_count()
        );
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        let cases = [
            ("a".repeat(11), "too short"),
            ("a".repeat(129), "too long"),
            (" ".repeat(12), "all spaces"),
            ("\t \u{a0}".repeat(5), "all whitespace"),
            ("x".repeat(20), "one character repeated"),
            ("ñ".repeat(12), "one non-ASCII character repeated"),
            ("my-name-is-Ana.Lopez".into(), "contains the username"),
            ("1qaz2wsx3edc".into(), "common"),
            ("PASSWORD1234".into(), "common, in capitals"),
        ];
        for (password, why) in cases {
            assert!(
                check_strength(&password, "ana.lopez").is_err(),
                "{why} must be refused"
            );
        }
    }

    #[test]
    fn sound_passwords_are_accepted() {
        let cases = [
            "correct horse battery staple",
            &"ñandú ".repeat(10),
            "ab".repeat(6).as_str(),
            &format!("{}b", "a".repeat(127)),
        ]
        .map(str::to_owned);
        for password in cases {
            assert!(
                check_strength(&password, "ana.lopez").is_ok(),
                "{password:?} must be accepted"
            );
        }
    }
}
