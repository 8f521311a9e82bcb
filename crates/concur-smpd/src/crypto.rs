//! Encryption of stored tokens: ChaCha20-Poly1305 with a 32-byte key from the environment
//! (`CONCUR_SMPD_TOKEN_KEY`, base64), a random 96-bit nonce per write, and the connection id
//! as associated data (a ciphertext cannot be moved to another connection).

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore as _;

/// Name of the environment variable holding the token key (base64 of 32 bytes).
pub const TOKEN_KEY_ENV: &str = "CONCUR_SMPD_TOKEN_KEY";

/// Error with the token key or a ciphertext. Never contains key or plaintext material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The key variable is not set.
    #[error("{TOKEN_KEY_ENV} is not set: generate one with `openssl rand -base64 32`")]
    MissingKey,
    /// The key is not base64 of exactly 32 bytes.
    #[error("{TOKEN_KEY_ENV} must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)")]
    BadKey,
    /// Decryption failed: wrong key, tampered data, or data of another connection.
    #[error("stored token cannot be decrypted (wrong {TOKEN_KEY_ENV} or tampered data)")]
    Decrypt,
    /// Encryption failed (should not happen).
    #[error("token encryption failed")]
    Encrypt,
}

/// A token cipher holding the key. `Debug` does not show the key.
#[derive(Clone)]
pub struct TokenCipher {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher([REDACTED])")
    }
}

impl TokenCipher {
    /// A cipher from raw key bytes.
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(key)),
        }
    }

    /// A cipher from base64 text (standard alphabet, padding optional; surrounding whitespace
    /// ignored).
    ///
    /// # Errors
    /// [`CryptoError::BadKey`] when the text is not base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let t = text.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(t)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
            .map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(Self::new(&key))
    }

    /// A cipher from `CONCUR_SMPD_TOKEN_KEY`.
    ///
    /// # Errors
    /// [`CryptoError::MissingKey`] or [`CryptoError::BadKey`].
    pub fn from_env() -> Result<Self, CryptoError> {
        let v = std::env::var(TOKEN_KEY_ENV).map_err(|_| CryptoError::MissingKey)?;
        Self::from_base64(&v)
    }

    /// Encrypts `plaintext` bound to `aad`; returns `(nonce, ciphertext)`.
    ///
    /// # Errors
    /// [`CryptoError::Encrypt`] (not expected).
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Encrypt)?;
        Ok((nonce.to_vec(), ct))
    }

    /// Decrypts what [`TokenCipher::encrypt`] produced with the same `aad`.
    ///
    /// # Errors
    /// [`CryptoError::Decrypt`] on a wrong key, wrong `aad` or tampered data.
    pub fn decrypt(
        &self,
        nonce: &[u8],
        ciphertext: &[u8],
        aad: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        if nonce.len() != 12 {
            return Err(CryptoError::Decrypt);
        }
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let c = TokenCipher::new(&[7u8; 32]);
        let (n, ct) = c.encrypt(b"refresh-token-value", b"acme").unwrap();
        assert!(!ct.windows(7).any(|w| w == b"refresh"));
        assert_eq!(c.decrypt(&n, &ct, b"acme").unwrap(), b"refresh-token-value");
        assert!(matches!(
            c.decrypt(&n, &ct, b"other"),
            Err(CryptoError::Decrypt)
        ));
        let other = TokenCipher::new(&[8u8; 32]);
        assert!(matches!(
            other.decrypt(&n, &ct, b"acme"),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn key_must_be_32_bytes() {
        let ok = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        assert!(TokenCipher::from_base64(&ok).is_ok());
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
        assert!(matches!(
            TokenCipher::from_base64(&short),
            Err(CryptoError::BadKey)
        ));
        assert!(matches!(
            TokenCipher::from_base64("%%%"),
            Err(CryptoError::BadKey)
        ));
        assert_eq!(
            format!("{:?}", TokenCipher::new(&[1; 32])),
            "TokenCipher([REDACTED])"
        );
    }
}
