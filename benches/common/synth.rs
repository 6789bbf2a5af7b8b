//! The synthetic corpus "synth-news", shared by `benches/throughput.rs` and
//! `benches/stages.rs`: generated from a fixed seed, so the same bytes on every machine.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use deboil::rng::SplitMix as Rng;

pub const SEED: u64 = 0x5eed_db01;

/// Skewed towards small indices, like word frequencies.
fn skewed(rng: &mut Rng, n: usize) -> usize {
    let u = rng.unit();
    ((u * u * u) * n as f64) as usize
}

struct Vocabulary {
    words: Vec<String>,
}

impl Vocabulary {
    fn new(rng: &mut Rng, n: usize) -> Self {
        const SYLLABLES: [&str; 24] = [
            "ka", "ro", "mi", "ten", "sa", "lo", "ver", "an", "di", "po", "stra", "el", "mon",
            "ti", "gar", "us", "ne", "bri", "cal", "fo", "ru", "den", "ship", "ol",
        ];
        let words = (0..n)
            .map(|_| {
                (0..rng.range(1, 4))
                    .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                    .collect()
            })
            .collect();
        Vocabulary { words }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        &self.words[skewed(rng, self.words.len())]
    }

    fn phrase(&self, rng: &mut Rng, lo: usize, hi: usize) -> String {
        let n = rng.range(lo, hi);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            let w = self.word(rng);
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else {
                s.push_str(w);
            }
        }
        s
    }

    fn paragraph(&self, rng: &mut Rng) -> String {
        (0..rng.range(1, 4))
            .map(|_| {
                let mut s = self.phrase(rng, 8, 24);
                if rng.chance(0.2) {
                    s.push_str(&format!(" in {}", rng.range(1990, 2026)));
                }
                s.push('.');
                s
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

struct Site {
    host: String,
    header: Vec<String>,
    footer: Vec<String>,
    teasers: Vec<String>,
}

fn make_site(rng: &mut Rng, vocab: &Vocabulary, i: usize) -> Site {
    let name = vocab.phrase(rng, 1, 2);
    let nav: Vec<String> = (0..rng.range(4, 8))
        .map(|_| vocab.phrase(rng, 1, 1))
        .collect();
    let mut header = vec![
        format!("{name} | {}", vocab.phrase(rng, 2, 5)),
        nav.join(" | "),
    ];
    header.extend((0..rng.range(0, 3)).map(|_| vocab.phrase(rng, 1, 3)));
    let mut footer: Vec<String> = (0..rng.range(1, 4))
        .map(|_| vocab.phrase(rng, 3, 9))
        .collect();
    footer.push(format!(
        "© {} {name}. All rights reserved.",
        rng.range(2010, 2026)
    ));
    footer.push("About us | Contact | Privacy policy | Terms of use".to_string());
    let teasers = (0..rng.range(8, 30))
        .map(|_| vocab.phrase(rng, 6, 14))
        .collect();
    Site {
        host: format!("www.site{i}.example"),
        header,
        footer,
        teasers,
    }
}

pub fn generate(path: &Path, target_bytes: u64) -> std::io::Result<u64> {
    let mut rng = Rng(SEED);
    let vocab = Vocabulary::new(&mut rng, 40_000);
    let sites: Vec<Site> = (0..3000).map(|i| make_site(&mut rng, &vocab, i)).collect();
    let widgets: Vec<String> = (0..40).map(|_| vocab.phrase(&mut rng, 2, 6)).collect();
    let mut recent: Vec<Vec<String>> = Vec::new();
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut written = 0u64;
    let mut doc = 0u64;
    let mut line = Vec::with_capacity(1 << 16);
    while written < target_bytes {
        let site = &sites[skewed(&mut rng, sites.len())];
        let body: Vec<String> = if !recent.is_empty() && rng.chance(0.03) {
            recent[rng.below(recent.len())].clone()
        } else {
            let b: Vec<String> = (0..rng.range(4, 25))
                .map(|_| vocab.paragraph(&mut rng))
                .collect();
            if recent.len() < 512 {
                recent.push(b.clone());
            } else {
                let at = rng.below(recent.len());
                recent[at] = b.clone();
            }
            b
        };
        let mut lines: Vec<&str> = site.header.iter().map(String::as_str).collect();
        let title = vocab.phrase(&mut rng, 4, 12);
        lines.push(&title);
        if rng.chance(0.3) {
            lines.push(&widgets[rng.below(widgets.len())]);
        }
        lines.extend(body.iter().map(String::as_str));
        if rng.chance(0.5) {
            lines.push(&widgets[rng.below(widgets.len())]);
        }
        lines.push("Related stories");
        for _ in 0..rng.range(3, 6) {
            lines.push(&site.teasers[rng.below(site.teasers.len())]);
        }
        lines.extend(site.footer.iter().map(String::as_str));
        let text = lines.join("\n");
        line.clear();
        serde_json::to_writer(
            &mut line,
            &serde_json::json!({
                "id": format!("synth-{doc:09}"),
                "url": format!("https://{}/news/{doc}", site.host),
                "lang": "xx",
                "text": text,
            }),
        )?;
        line.push(b'\n');
        out.write_all(&line)?;
        written += line.len() as u64;
        doc += 1;
    }
    out.flush()?;
    Ok(doc)
}

/// The environment variable `name` parsed, or `default` when it is unset or unreadable.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `target/bench/synth-news-{bytes}.jsonl`, generated first if it is not there.
pub fn corpus(bytes: u64) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).expect("target/bench");
    let corpus = dir.join(format!("synth-news-{bytes}.jsonl"));
    if !corpus.exists() {
        eprintln!("generating {} (seed {SEED:#x})…", corpus.display());
        let tmp = corpus.with_extension("tmp");
        let docs = generate(&tmp, bytes).expect("generate corpus");
        std::fs::rename(&tmp, &corpus).expect("rename corpus");
        eprintln!("{docs} documents");
    }
    corpus
}
