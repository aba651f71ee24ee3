//! API keys: created by `adscreen keys add`, printed once, stored only as SHA-256 hashes in
//! `DATA_DIR/keys.toml` (or listed, hashed, in the config file). Each key has scopes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a key allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `POST /v1/screen`.
    Screen,
    /// Reading stored adverts, search and contacts.
    Read,
    /// Ingesting adverts.
    Write,
    /// Reloading rules and model.
    Admin,
}

impl Scope {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Screen => "screen",
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    /// Parses a name.
    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "screen" => Some(Scope::Screen),
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// A key as stored: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredKey {
    /// Short public id (also the start of the key), for listing and revoking.
    pub id: String,
    /// What the key is for.
    #[serde(default)]
    pub name: String,
    /// SHA-256 of the key, hex.
    pub hash: String,
    /// What it allows.
    pub scopes: Vec<Scope>,
    /// When it was made (RFC 3339).
    #[serde(default)]
    pub created: String,
    /// Revoked keys are refused.
    #[serde(default)]
    pub revoked: bool,
}

/// The key file of a data directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    /// The keys.
    #[serde(default, rename = "key")]
    pub keys: Vec<StoredKey>,
}

/// Why keys could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the file failed.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("key file {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No randomness available for a new key.
    #[error("no random source: {0}")]
    Random(String),
    /// No key has this id.
    #[error("no key with id {0}")]
    Unknown(String),
}

/// The SHA-256 of a key, hex.
pub fn hash_key(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl KeyFile {
    /// The key file's path in a data directory.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("keys.toml")
    }

    /// Reads the key file; a missing file has no keys.
    pub fn load(path: &Path) -> Result<KeyFile, KeyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(KeyFile::default()),
            Err(source) => {
                return Err(KeyError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        toml::from_str(&text).map_err(|e| KeyError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Writes the key file (through a temporary file, so a reader never sees half of it).
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = toml::to_string(self).map_err(|e| KeyError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(
            &tmp,
            format!("# API keys of adscreen: hashes only. Manage with `adscreen keys`.\n{text}"),
        )
        .map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Adds a new key and returns it: the only time the key itself is seen.
    pub fn add(&mut self, name: &str, scopes: Vec<Scope>) -> Result<String, KeyError> {
        let mut secret = [0u8; 24];
        getrandom::fill(&mut secret).map_err(|e| KeyError::Random(e.to_string()))?;
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let id = format!("k{}", &hex[..8]);
        let key = format!("ads_{id}_{}", &hex[8..]);
        self.keys.push(StoredKey {
            id,
            name: name.to_string(),
            hash: hash_key(&key),
            scopes,
            created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            revoked: false,
        });
        Ok(key)
    }

    /// Revokes the key with this id.
    pub fn revoke(&mut self, id: &str) -> Result<(), KeyError> {
        let key = self
            .keys
            .iter_mut()
            .find(|k| k.id == id)
            .ok_or_else(|| KeyError::Unknown(id.to_string()))?;
        key.revoked = true;
        Ok(())
    }
}

/// The outcome of checking a request's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Allowed; the key's id, or `None` for an open scope used without a key.
    Allowed(Option<String>),
    /// No key given where one is needed (401).
    Missing,
    /// The key is unknown or revoked (401).
    Invalid,
    /// The key is valid but lacks the scope (403).
    Forbidden(String),
}

/// The keys a running server accepts. The key file is read again when it changes, so keys added
/// or revoked with `adscreen keys` take effect without a restart.
#[derive(Debug)]
pub struct KeyStore {
    file: PathBuf,
    config_keys: Vec<StoredKey>,
    open: Vec<Scope>,
    state: Mutex<(Option<SystemTime>, Vec<StoredKey>)>,
}

impl KeyStore {
    /// Keys from the data directory's key file and from the config.
    pub fn new(
        data_dir: &Path,
        config_keys: Vec<StoredKey>,
        open: Vec<Scope>,
    ) -> Result<KeyStore, KeyError> {
        let file = KeyFile::path(data_dir);
        let keys = KeyFile::load(&file)?.keys;
        let modified = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
        Ok(KeyStore {
            file,
            config_keys,
            open,
            state: Mutex::new((modified, keys)),
        })
    }

    /// Whether a scope is open to requests without a key.
    pub fn is_open(&self, scope: Scope) -> bool {
        self.open.contains(&scope)
    }

    /// Checks a key (if any) for a scope.
    pub fn check(&self, key: Option<&str>, scope: Scope) -> Access {
        let Some(key) = key else {
            return if self.is_open(scope) {
                Access::Allowed(None)
            } else {
                Access::Missing
            };
        };
        let hash = hash_key(key);
        let found = self
            .config_keys
            .iter()
            .find(|k| k.hash == hash)
            .cloned()
            .or_else(|| self.file_keys_find(&hash));
        match found {
            Some(k) if k.revoked => Access::Invalid,
            Some(k) if k.scopes.contains(&scope) || self.is_open(scope) => {
                Access::Allowed(Some(k.id))
            }
            Some(k) => Access::Forbidden(k.id),
            None => Access::Invalid,
        }
    }

    /// The name of the key with this id (its id when it has no name).
    pub fn name_of(&self, id: &str) -> String {
        let named = |k: &StoredKey| (k.id == id).then(|| k.name.clone());
        let found = self.config_keys.iter().find_map(named).or_else(|| {
            self.state
                .lock()
                .ok()
                .and_then(|state| state.1.iter().find_map(named))
        });
        match found {
            Some(name) if !name.trim().is_empty() => name,
            _ => id.to_string(),
        }
    }

    fn file_keys_find(&self, hash: &str) -> Option<StoredKey> {
        let Ok(mut state) = self.state.lock() else {
            return None;
        };
        let modified = std::fs::metadata(&self.file)
            .and_then(|m| m.modified())
            .ok();
        if modified != state.0 {
            match KeyFile::load(&self.file) {
                Ok(f) => *state = (modified, f.keys),
                // Keep the keys last read; the broken file is reported once per change.
                Err(e) => {
                    tracing::error!(error = %e, "key file unreadable; keeping the keys read before");
                    state.0 = modified;
                }
            }
        }
        state.1.iter().find(|k| k.hash == hash).cloned()
    }
}

/// Most client addresses whose failed key checks are remembered at once.
const MAX_TRACKED: usize = 100_000;

/// The client an address stands for: an IPv4 address, or the /64 network of an IPv6 one (a
/// single host is given a whole /64 and could otherwise rotate through it).
fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let mut o = v6.octets();
            o[8..].fill(0);
            IpAddr::from(o)
        }
    }
}

/// Failed key checks per client address: after `limit` failures within `window`, requests with
/// a key from that address are refused until the window has passed, so keys cannot be guessed
/// at the speed of the network.
#[derive(Debug)]
pub struct Failures {
    limit: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Failures {
    /// At most `limit` failures per `window` per address; a `limit` of 0 turns the limit off.
    pub fn new(limit: u32, window: Duration) -> Failures {
        Failures {
            limit,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How long an address must wait before its keys are checked again, if it must.
    pub fn blocked(&self, ip: IpAddr) -> Option<Duration> {
        if self.limit == 0 {
            return None;
        }
        let seen = self.seen.lock().ok()?;
        let (count, since) = seen.get(&client_of(ip))?;
        let left = self.window.checked_sub(since.elapsed())?;
        (*count >= self.limit).then_some(left)
    }

    /// Counts a failed key check from an address.
    pub fn record(&self, ip: IpAddr) {
        if self.limit == 0 {
            return;
        }
        let ip = client_of(ip);
        if let Ok(mut seen) = self.seen.lock() {
            // Bounded memory: a flood of new addresses first forgets those whose window passed,
            // then, if still full, the whole table (the limit then starts again for everyone).
            if seen.len() >= MAX_TRACKED && !seen.contains_key(&ip) {
                seen.retain(|_, (_, since)| since.elapsed() < self.window);
                if seen.len() >= MAX_TRACKED {
                    seen.clear();
                }
            }
            let entry = seen.entry(ip).or_insert((0, Instant::now()));
            if entry.1.elapsed() >= self.window {
                *entry = (0, Instant::now());
            }
            entry.0 = entry.0.saturating_add(1);
        }
    }

    /// Forgets addresses whose window has passed.
    pub fn prune(&self) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.retain(|_, (_, since)| since.elapsed() < self.window);
            seen.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_block_an_address_for_the_rest_of_its_window() {
        let f = Failures::new(3, Duration::from_millis(300));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        for _ in 0..3 {
            assert_eq!(f.blocked(a), None);
            f.record(a);
        }
        assert!(
            f.blocked(a)
                .is_some_and(|d| d <= Duration::from_millis(300))
        );
        assert_eq!(f.blocked(b), None, "other addresses are not affected");
        std::thread::sleep(Duration::from_millis(320));
        assert_eq!(f.blocked(a), None, "the block ends with the window");
        f.prune();
        assert!(f.seen.lock().expect("lock").is_empty());
        let v6a: IpAddr = "2001:db8::1".parse().expect("ip");
        let v6b: IpAddr = "2001:db8::ffff".parse().expect("ip");
        for _ in 0..3 {
            f.record(v6a);
        }
        assert!(f.blocked(v6b).is_some(), "one /64 is one client");
        let off = Failures::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            off.record(a);
        }
        assert_eq!(off.blocked(a), None);
    }

    #[test]
    fn keys_are_stored_hashed_and_checked_by_scope() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = KeyFile::path(dir.path());
        let mut file = KeyFile::default();
        let key = file.add("inspector", vec![Scope::Read]).expect("add");
        file.save(&path).expect("save");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.contains(&key), "the key itself is never stored");
        assert!(text.contains(&hash_key(&key)));
        let store = KeyStore::new(dir.path(), vec![], vec![Scope::Screen]).expect("store");
        assert!(matches!(
            store.check(Some(&key), Scope::Read),
            Access::Allowed(Some(_))
        ));
        assert!(matches!(
            store.check(Some(&key), Scope::Write),
            Access::Forbidden(_)
        ));
        assert_eq!(store.check(Some("ads_wrong"), Scope::Read), Access::Invalid);
        assert_eq!(store.check(None, Scope::Read), Access::Missing);
        assert_eq!(store.check(None, Scope::Screen), Access::Allowed(None));
    }

    #[test]
    fn revoking_takes_effect_without_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = KeyFile::path(dir.path());
        let mut file = KeyFile::default();
        let key = file.add("", vec![Scope::Admin]).expect("add");
        file.save(&path).expect("save");
        let store = KeyStore::new(dir.path(), vec![], vec![]).expect("store");
        assert!(matches!(
            store.check(Some(&key), Scope::Admin),
            Access::Allowed(_)
        ));
        let id = file.keys[0].id.clone();
        file.revoke(&id).expect("revoke");
        // Make sure the modification time moves even on coarse clocks.
        std::thread::sleep(std::time::Duration::from_millis(20));
        file.save(&path).expect("save");
        let later = SystemTime::now() + std::time::Duration::from_secs(2);
        let f = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        f.set_modified(later).expect("set mtime");
        assert_eq!(store.check(Some(&key), Scope::Admin), Access::Invalid);
    }
}
