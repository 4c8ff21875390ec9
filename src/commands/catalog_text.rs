//! The text form of `auraform catalog`: per tier its facts in one sentence, the sizes
//! and versions (once for the tier when every region has the same), then per cloud the
//! regions, those with the same sizes on one line, wrapped at 88 columns.

use std::fmt::Write as _;

use indexmap::IndexMap;

use super::catalog_view::{CatalogDocument, TierFacts};
use crate::aura::sizes::parse_gb;
use crate::aura::tiers;
use crate::aura::{CloudProvider, InstanceConfiguration};

/// The catalogue as text.
pub(super) fn human(doc: &CatalogDocument) -> String {
    doc.human()
}

impl CatalogDocument {
    /// The text form: per tier its facts, then per cloud the regions that share the
    /// same sizes and versions, each group once.
    fn human(&self) -> String {
        let mut out = String::new();
        let clouds: Vec<&str> = distinct(
            self.configurations
                .iter()
                .map(|c| c.cloud_provider.as_str()),
        );
        let _ = writeln!(
            out,
            "Project \"{}\" ({}) can run {} on {}{}.",
            self.project.name,
            self.project.id,
            plural(self.tiers.len(), "tier", "tiers"),
            clouds.join(", "),
            self.filter_text(),
        );
        for tier in &self.tiers {
            out.push('\n');
            self.tier_section(tier, &mut out);
        }
        out.push('\n');
        out.push_str(
            "Write these as `type`, `cloud_provider`, `region`, `memory` and `storage` in aura.yaml.\n",
        );
        if self.filter.instance_type.is_none() || self.filter.cloud_provider.is_none() {
            out.push_str("Narrow the list with --type TYPE and --cloud CLOUD; --format json gives every row.\n");
        }
        out
    }

    fn filter_text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &self.filter.instance_type {
            parts.push(format!("--type {t}"));
        }
        if let Some(c) = &self.filter.cloud_provider {
            parts.push(format!("--cloud {c}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" (only {})", parts.join(", "))
        }
    }

    fn tier_section(&self, tier: &TierFacts, out: &mut String) {
        match &tier.product {
            Some(p) => {
                let _ = writeln!(out, "{} ({p})", tier.instance_type);
            }
            None => {
                let _ = writeln!(out, "{}", tier.instance_type);
            }
        }
        wrap_into(out, "  ", &tier_sentence(tier), WIDTH);
        let rows: Vec<&InstanceConfiguration> = self
            .configurations
            .iter()
            .filter(|c| c.instance_type.as_str() == tier.instance_type)
            .collect();
        let by_cloud: Vec<(&str, Vec<RegionGroup<'_>>)> =
            distinct(rows.iter().map(|c| c.cloud_provider.as_str()))
                .into_iter()
                .map(|cloud| {
                    let in_cloud: Vec<&InstanceConfiguration> = rows
                        .iter()
                        .copied()
                        .filter(|c| c.cloud_provider.as_str() == cloud)
                        .collect();
                    (cloud, region_groups(&in_cloud))
                })
                .collect();
        // Sizes and versions the same everywhere the tier runs (the usual case): said
        // once for the tier, not once per cloud.
        let mut groups = by_cloud.iter().flat_map(|(_, g)| g);
        let shared = groups.next().filter(|first| {
            by_cloud
                .iter()
                .flat_map(|(_, g)| g)
                .all(|g| g.sizes == first.sizes && g.versions == first.versions)
        });
        if let Some(g) = shared {
            g.sizes_and_versions("  ", out);
        }
        for (cloud, groups) in &by_cloud {
            for group in groups {
                group.render(cloud, shared.is_none(), out);
            }
        }
    }
}

/// Text width of the human form.
const WIDTH: usize = 88;
/// Where the region lists start (after `  gcp    `).
const INDENT: &str = "         ";

/// The facts of a tier as one sentence.
fn tier_sentence(t: &TierFacts) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(free) = &t.free_limits {
        parts.push(tiers::free_limits_text());
        parts.push(format!(
            "{} {} and {} only",
            free.cloud_provider, free.region, free.memory
        ));
    }
    parts.push(
        if t.pause {
            "pause and resume"
        } else {
            "no pause on request"
        }
        .to_owned(),
    );
    parts.push(
        if t.resize {
            "resize in place"
        } else {
            "no resize"
        }
        .to_owned(),
    );
    parts.push(match t.graph_data_science.as_str() {
        "included" => "Graph Data Science included".to_owned(),
        "plugin" => "Graph Data Science with the Graph Analytics plugin (`graph_analytics_plugin`)"
            .to_owned(),
        _ => "no Graph Data Science".to_owned(),
    });
    parts.push(if t.max_secondaries > 0 {
        format!(
            "up to {} secondaries (`secondaries_count`)",
            t.max_secondaries
        )
    } else {
        "no secondaries".to_owned()
    });
    parts.push(
        if t.cdc {
            "CDC (`cdc_enrichment_mode`)"
        } else {
            "no CDC"
        }
        .to_owned(),
    );
    if t.vector_optimized {
        parts.push(format!("vector optimisation from {}", t.vector_min_memory));
    }
    if let Some(up) = &t.upgrade_to {
        parts.push(format!("upgrades in place to {up}"));
    }
    if let Some(n) = t.api_requests_per_minute {
        parts.push(format!("API limit {n} requests/min"));
    }
    let mut s = parts.join("; ");
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    s.push('.');
    s
}

/// Regions of one tier and cloud that offer the same sizes and versions.
struct RegionGroup<'a> {
    regions: Vec<(&'a str, &'a str)>,
    /// Memory → storage sizes offered with it, in size order.
    sizes: Vec<(&'a str, Vec<&'a str>)>,
    versions: Vec<&'a str>,
}

impl RegionGroup<'_> {
    /// `gcp    12 regions: …`, then (unless the tier says them once) its sizes.
    fn render(&self, cloud: &str, with_sizes: bool, out: &mut String) {
        let regions = match self.regions.as_slice() {
            [(code, name)] if !name.is_empty() => {
                vec![format!("{code} ({})", strip_code(name, code))]
            }
            [(code, _)] => vec![(*code).to_owned()],
            many => many.iter().map(|(c, _)| (*c).to_owned()).collect(),
        };
        let lead = if regions.len() > 1 {
            format!("{} regions: ", regions.len())
        } else {
            String::new()
        };
        let mut block = String::new();
        wrap_items(&mut block, INDENT, &lead, &regions);
        let _ = write!(out, "  {cloud:<6} ");
        out.push_str(block.trim_start());
        if with_sizes {
            self.sizes_and_versions(INDENT, out);
        }
    }

    /// `memory/storage: 1GB/2GB, 2GB/4GB, …` and `versions: 5, 4`.
    fn sizes_and_versions(&self, indent: &str, out: &mut String) {
        let sizes: Vec<String> = self
            .sizes
            .iter()
            .map(|(m, s)| format!("{m}/{}", s.join(" or ")))
            .collect();
        wrap_items(out, indent, "memory/storage: ", &sizes);
        let _ = writeln!(out, "{indent}versions: {}", self.versions.join(", "));
    }
}

/// `Belgium (europe-west1)` → `Belgium`: the API's names repeat the code.
fn strip_code<'a>(name: &'a str, code: &str) -> &'a str {
    name.strip_suffix(&format!(" ({code})")).unwrap_or(name)
}

/// What one region offers: its name, memory → storage sizes, versions.
type RegionOffer<'a> = (&'a str, IndexMap<&'a str, Vec<&'a str>>, Vec<&'a str>);

fn region_groups<'a>(rows: &[&'a InstanceConfiguration]) -> Vec<RegionGroup<'a>> {
    // Region → (name, memory → storages, versions), in the order the API lists them.
    let mut by_region: IndexMap<&str, RegionOffer<'_>> = IndexMap::new();
    for c in rows {
        let entry = by_region
            .entry(c.region.as_str())
            .or_insert_with(|| (c.region_name.as_str(), IndexMap::new(), Vec::new()));
        let storages = entry.1.entry(c.memory.as_str()).or_default();
        if !storages.contains(&c.storage.as_str()) {
            storages.push(c.storage.as_str());
        }
        if !entry.2.contains(&c.version.as_str()) {
            entry.2.push(c.version.as_str());
        }
    }
    let mut groups: Vec<RegionGroup<'a>> = Vec::new();
    for (region, (name, sizes, versions)) in by_region {
        let mut sizes: Vec<(&str, Vec<&str>)> = sizes.into_iter().collect();
        for (_, storages) in &mut sizes {
            storages.sort_by_key(|s| size_key(s));
        }
        sizes.sort_by_key(|(m, _)| size_key(m));
        let mut versions = versions;
        versions.sort_by_key(|v| std::cmp::Reverse(version_key(v)));
        match groups
            .iter_mut()
            .find(|g| g.sizes == sizes && g.versions == versions)
        {
            Some(g) => g.regions.push((region, name)),
            None => groups.push(RegionGroup {
                regions: vec![(region, name)],
                sizes,
                versions,
            }),
        }
    }
    for g in &mut groups {
        g.regions.sort_by_key(|(code, _)| *code);
    }
    groups
}

/// Sizes in numeric order; anything the API spells otherwise goes last, by text.
fn size_key(s: &str) -> (u32, String) {
    (parse_gb(s).unwrap_or(u32::MAX), s.to_owned())
}

/// Versions newest first: numbers by value, anything else after, by text.
fn version_key(v: &str) -> (u64, String) {
    (v.parse().unwrap_or(0), v.to_owned())
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    // Known spellings first, in their order (gcp, aws, azure), then the rest as met.
    let rank = |s: &str| {
        CloudProvider::KNOWN
            .iter()
            .position(|c| c.as_str() == s)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(|s| rank(s));
    out
}

/// Appends `lead` and `items` joined by `, `, wrapped at [`WIDTH`] between items (an
/// item is never split), every line starting with `indent`.
fn wrap_items(out: &mut String, indent: &str, lead: &str, items: &[String]) {
    let mut line = format!("{indent}{lead}");
    // Whether the line holds an item yet (a line is never left with none).
    let mut any = false;
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        if any && line.len() + 1 + piece.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        } else if any {
            line.push(' ');
        }
        line.push_str(&piece);
        any = true;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// Appends `text` wrapped at `width`, every line starting with `indent`.
fn wrap_into(out: &mut String, indent: &str, text: &str, width: usize) {
    let mut line = String::from(indent);
    for word in text.split(' ') {
        if line.len() > indent.len() && line.len() + 1 + word.len() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::Tenant;
    use crate::aura::InstanceType;

    use super::super::catalog_view::Filter;
    #[test]
    fn wrapping() {
        let mut out = String::new();
        wrap_into(&mut out, "  ", "aaa bbb ccc", 9);
        assert_eq!(out, "  aaa bbb\n  ccc\n");
        let mut out = String::new();
        let items: Vec<String> = (0..30).map(|i| format!("item{i}")).collect();
        wrap_items(&mut out, "  ", "list: ", &items);
        for line in out.lines() {
            assert!(line.len() <= WIDTH, "{line}");
            assert!(!line.contains(",item"), "{line}");
        }
        assert!(out.starts_with("  list: item0, item1,"));
    }

    #[test]
    fn regions_with_the_same_sizes_share_a_line() {
        let tenant = Tenant {
            id: "t".into(),
            name: "demo".into(),
            instance_configurations: crate::aura::catalogue::configurations(&[
                InstanceType::ProfessionalDb,
            ]),
        };
        let doc = CatalogDocument::new(&tenant, Filter::default());
        let rows: Vec<&InstanceConfiguration> = doc
            .configurations
            .iter()
            .filter(|c| c.cloud_provider == CloudProvider::Gcp)
            .collect();
        let groups = region_groups(&rows);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].versions, ["5", "4"]);
        assert_eq!(groups[0].sizes[0], ("1GB", vec!["2GB"]));
    }
}
