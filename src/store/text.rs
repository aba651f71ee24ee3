//! The index's text analysis. Adverts are Latvian, Russian or English (often mixed), so one
//! analyzer serves all three: words are lower-cased and folded to ASCII where Latin ("ārzemēs"
//! finds "arzemes"), then a stem field strips inflection by script: Cyrillic words with the
//! Russian Snowball stemmer, Latin words with a light Latvian suffix stripper (there is no Latvian
//! stemmer in tantivy or rust-stemmers), which also takes the plural `-s` off English words.

use std::mem;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// The analyzer of the `words` field: exact word forms.
pub const WORDS: &str = "adscreen_words";
/// The analyzer of the `stems` field: word forms with inflection stripped.
pub const STEMS: &str = "adscreen_stems";

/// Registers both analyzers with an index.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(WORDS, words_analyzer());
    index.tokenizers().register(STEMS, stems_analyzer());
}

fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn stems_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(ScriptStemmer)
        .build()
}

/// Latvian endings after ASCII folding, longest first.
const LATVIAN_ENDINGS: &[&str] = &[
    "ajiem", "ajai", "ajam", "ajos", "ajas", "iem", "aja", "ais", "ai", "ei", "am", "em", "im",
    "um", "us", "as", "es", "os", "ij", "is", "ie", "u", "a", "e", "i", "o", "s",
];

/// Strips one Latvian inflectional ending, keeping a stem of at least three characters.
pub fn latvian_stem(word: &str) -> &str {
    let chars = word.chars().count();
    for ending in LATVIAN_ENDINGS {
        if let Some(stem) = word.strip_suffix(ending) {
            if chars - ending.len() >= 3 {
                return stem;
            }
        }
    }
    word
}

/// A token filter that stems each token by its script.
#[derive(Clone, Copy, Debug)]
pub struct ScriptStemmer;

impl TokenFilter for ScriptStemmer {
    type Tokenizer<T: Tokenizer> = ScriptStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ScriptStemmerFilter<T> {
        ScriptStemmerFilter { inner: tokenizer }
    }
}

/// [`ScriptStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct ScriptStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ScriptStemmerFilter<T> {
    type TokenStream<'a> = ScriptStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ScriptStemmerStream {
            tail: self.inner.token_stream(text),
            russian: Stemmer::create(Algorithm::Russian),
            buffer: String::new(),
        }
    }
}

/// The token stream of [`ScriptStemmerFilter`].
pub struct ScriptStemmerStream<T> {
    tail: T,
    russian: Stemmer,
    buffer: String,
}

impl<T: TokenStream> TokenStream for ScriptStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        self.buffer.clear();
        if token
            .text
            .chars()
            .any(|c| matches!(c, '\u{0400}'..='\u{04FF}'))
        {
            self.buffer.push_str(&self.russian.stem(&token.text));
        } else {
            self.buffer.push_str(latvian_stem(&token.text));
        }
        mem::swap(&mut token.text, &mut self.buffer);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        let mut analyzer = stems_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn latvian_inflections_share_a_stem() {
        assert_eq!(stems("darbs darbu darbam"), vec!["darb", "darb", "darb"]);
        assert_eq!(stems("Ārzemēs ārzemes"), vec!["arzem", "arzem"]);
        assert_eq!(stems("zināšanas zināšanām"), stems("zināšanas zināšanas"));
    }

    #[test]
    fn russian_words_use_the_russian_stemmer() {
        let s = stems("работа работу работой");
        assert!(s.iter().all(|w| w == &s[0]), "{s:?}");
    }

    #[test]
    fn short_words_keep_their_ending() {
        assert_eq!(latvian_stem("uz"), "uz");
        assert_eq!(latvian_stem("par"), "par");
        assert_eq!(latvian_stem("visa"), "vis");
    }
}
