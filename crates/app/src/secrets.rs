//! Secrets: Argon2id password hashes (computed off the async threads), random tokens, and the SHA-256
//! digests under which session and API tokens are stored.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// Prefix of API tokens, so that a leaked one is recognisable.
pub const API_TOKEN_PREFIX: &str = "hvs_";

/// A random token of `bytes` bytes, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    hex::encode(buf)
}

/// The SHA-256 digest of a token, hex-encoded: what the database keeps.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new API token: (the token shown once, its short prefix for lists).
pub fn new_api_token() -> (String, String) {
    let token = format!("{API_TOKEN_PREFIX}{}", random_token(24));
    let prefix = token[..API_TOKEN_PREFIX.len() + 6].to_string();
    (token, prefix)
}

/// Argon2id hash (PHC string) of a password.
pub async fn hash_password(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .expect("hashing task")
}

pub fn hash_password_blocking(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 with default parameters")
        .to_string()
}

/// Whether `password` matches the stored hash. A malformed hash never matches.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A password good enough to set: at least 10 characters, not all of one kind.
pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.chars().count() < 10 {
        return Err("mật khẩu cần ít nhất 10 ký tự".into());
    }
    if password.chars().count() > 200 {
        return Err("mật khẩu dài quá 200 ký tự".into());
    }
    if password.chars().all(|c| c.is_ascii_digit()) || password.chars().all(char::is_alphabetic) {
        return Err("mật khẩu cần có cả chữ và số hoặc ký hiệu".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let hash = hash_password("đúng-mật-khẩu-1".into()).await;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("đúng-mật-khẩu-1".into(), hash.clone()).await);
        assert!(!verify_password("sai-mật-khẩu-1".into(), hash).await);
        assert!(!verify_password("x".into(), "not a hash".into()).await);
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let (a, prefix) = new_api_token();
        let (b, _) = new_api_token();
        assert_ne!(a, b);
        assert!(a.starts_with("hvs_") && a.starts_with(&prefix) && a.len() == 52);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
    }

    #[test]
    fn new_passwords() {
        assert!(check_new_password("ngắn1").is_err());
        assert!(check_new_password("12345678901").is_err());
        assert!(check_new_password("abcdefghijk").is_err());
        assert!(check_new_password("bình-dân-2025").is_ok());
    }
}
