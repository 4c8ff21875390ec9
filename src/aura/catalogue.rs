//! The built-in catalogue of what Aura offers: which instance types run in which
//! cloud regions, and which memory/storage sizes and versions each type comes in.
//!
//! It serves two masters. `config` validates aura.yaml against it offline (the live
//! project's `instance_configurations` win when they are available), and the emulator
//! seeds its projects' `instance_configurations` from it, so an aura.yaml that
//! validates offline is one the emulator accepts. The region lists are the docs'
//! `regions.json` (generated 2025-10-10) as distilled in docs/aura-api.md §5.

use serde::{Deserialize, Serialize};

use super::enums::{CloudProvider, InstanceType};
use super::sizes::gb;

/// One offered combination: a flat cross-product row (docs/aura-api.md §3.7).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InstanceConfiguration {
    pub region: String,
    #[serde(default)]
    pub region_name: String,
    #[serde(rename = "type")]
    pub instance_type: InstanceType,
    pub memory: String,
    pub storage: String,
    pub version: String,
    pub cloud_provider: CloudProvider,
}

/// Which tiers a region row offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tiers {
    /// professional-db, business-critical, professional-ds, enterprise-ds, enterprise-db.
    All,
    /// professional-db, business-critical, professional-ds (AWS's common set).
    ProBcDsPro,
    /// professional-db, business-critical, professional-ds, enterprise-ds (Azure's common
    /// set; Virtual Dedicated Cloud is offered there as well).
    ProBcDs,
    /// enterprise-ds and enterprise-db.
    DsEntVdc,
    /// enterprise-db only.
    VdcOnly,
}

impl Tiers {
    fn offers(self, t: &InstanceType) -> bool {
        use InstanceType as T;
        match self {
            Tiers::All => matches!(
                t,
                T::ProfessionalDb
                    | T::BusinessCritical
                    | T::ProfessionalDs
                    | T::EnterpriseDs
                    | T::EnterpriseDb
            ),
            Tiers::ProBcDsPro => matches!(
                t,
                T::ProfessionalDb | T::BusinessCritical | T::ProfessionalDs
            ),
            Tiers::ProBcDs => matches!(
                t,
                T::ProfessionalDb
                    | T::BusinessCritical
                    | T::ProfessionalDs
                    | T::EnterpriseDs
                    | T::EnterpriseDb
            ),
            Tiers::DsEntVdc => matches!(t, T::EnterpriseDs | T::EnterpriseDb),
            Tiers::VdcOnly => matches!(t, T::EnterpriseDb),
        }
    }
}

/// One region row: provider, code, human name, tiers.
struct RegionRow(CloudProvider, &'static str, &'static str, Tiers);

/// The free tier runs in exactly one place (what aura-cli hard-codes).
pub const FREE_CLOUD: CloudProvider = CloudProvider::Gcp;
pub const FREE_REGION: &str = "europe-west1";
pub const FREE_MEMORY: &str = "1GB";

/// Versions offered. `"5"` means the latest calendar version since 2025-01-29.
pub const VERSIONS: &[&str] = &["4", "5"];

/// Every memory size the API knows (docs/aura-api.md §5), in GB.
pub const ALL_MEMORY_GB: &[u32] = &[1, 2, 4, 8, 16, 24, 32, 48, 64, 128, 192, 256, 384, 512];

/// Every storage size the API knows (docs/aura-api.md §5), in GB.
pub const ALL_STORAGE_GB: &[u32] = &[
    2, 4, 8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048,
];

#[rustfmt::skip]
const REGIONS: &[RegionRow] = {
    use CloudProvider::{Aws, Azure, Gcp};
    use Tiers::{All, DsEntVdc, ProBcDs, ProBcDsPro, VdcOnly};
    &[
        RegionRow(Gcp, "asia-east1", "Taiwan", All),
        RegionRow(Gcp, "asia-east2", "Hong Kong", All),
        RegionRow(Gcp, "asia-south1", "Mumbai", All),
        RegionRow(Gcp, "asia-southeast1", "Singapore", All),
        RegionRow(Gcp, "australia-southeast1", "Sydney", All),
        RegionRow(Gcp, "europe-west1", "Belgium", All),
        RegionRow(Gcp, "europe-west2", "London", All),
        RegionRow(Gcp, "europe-west3", "Frankfurt", All),
        RegionRow(Gcp, "northamerica-northeast1", "Montréal", All),
        RegionRow(Gcp, "us-central1", "Iowa", All),
        RegionRow(Gcp, "us-east1", "South Carolina", All),
        RegionRow(Gcp, "us-west1", "Oregon", All),
        RegionRow(Gcp, "asia-south2", "Delhi", DsEntVdc),
        RegionRow(Gcp, "australia-southeast2", "Melbourne", DsEntVdc),
        RegionRow(Gcp, "europe-southwest1", "Madrid", DsEntVdc),
        RegionRow(Gcp, "europe-west4", "Netherlands", DsEntVdc),
        RegionRow(Gcp, "southamerica-east1", "São Paulo", DsEntVdc),
        RegionRow(Gcp, "us-east4", "Northern Virginia", DsEntVdc),
        RegionRow(Gcp, "us-south1", "Dallas", DsEntVdc),
        RegionRow(Gcp, "us-west2", "Los Angeles", DsEntVdc),
        RegionRow(Gcp, "asia-northeast1", "Tokyo", VdcOnly),
        RegionRow(Gcp, "asia-northeast2", "Osaka", VdcOnly),
        RegionRow(Gcp, "asia-northeast3", "Seoul", VdcOnly),
        RegionRow(Gcp, "asia-southeast2", "Jakarta", VdcOnly),
        RegionRow(Gcp, "europe-central2", "Warsaw", VdcOnly),
        RegionRow(Gcp, "europe-north1", "Finland", VdcOnly),
        RegionRow(Gcp, "europe-west6", "Zurich", VdcOnly),
        RegionRow(Gcp, "europe-west8", "Milan", VdcOnly),
        RegionRow(Gcp, "europe-west9", "Paris", VdcOnly),
        RegionRow(Gcp, "europe-west12", "Turin", VdcOnly),
        RegionRow(Gcp, "northamerica-northeast2", "Toronto", VdcOnly),
        RegionRow(Gcp, "us-east5", "Columbus", VdcOnly),
        RegionRow(Gcp, "us-west3", "Salt Lake City", VdcOnly),
        RegionRow(Gcp, "us-west4", "Las Vegas", VdcOnly),
        RegionRow(Gcp, "me-central1", "Doha", VdcOnly),
        RegionRow(Gcp, "me-west1", "Tel Aviv", VdcOnly),
        RegionRow(Gcp, "me-central2", "Dammam", VdcOnly),
        RegionRow(Gcp, "southamerica-west1", "Santiago", VdcOnly),
        // AWS: the common set also runs VDC; enterprise-ds only in a subset.
        RegionRow(Aws, "ap-south-1", "Mumbai", ProBcDsPro),
        RegionRow(Aws, "ap-southeast-1", "Singapore", ProBcDsPro),
        RegionRow(Aws, "ap-southeast-2", "Sydney", ProBcDsPro),
        RegionRow(Aws, "eu-central-1", "Frankfurt", ProBcDsPro),
        RegionRow(Aws, "eu-west-1", "Ireland", ProBcDsPro),
        RegionRow(Aws, "eu-west-3", "Paris", ProBcDsPro),
        RegionRow(Aws, "sa-east-1", "São Paulo", ProBcDsPro),
        RegionRow(Aws, "us-east-1", "N. Virginia", ProBcDsPro),
        RegionRow(Aws, "us-east-2", "Ohio", ProBcDsPro),
        RegionRow(Aws, "us-west-2", "Oregon", ProBcDsPro),
        RegionRow(Aws, "ap-south-1", "Mumbai", VdcOnly),
        RegionRow(Aws, "ap-southeast-1", "Singapore", DsEntVdc),
        RegionRow(Aws, "ap-southeast-2", "Sydney", DsEntVdc),
        RegionRow(Aws, "eu-central-1", "Frankfurt", DsEntVdc),
        RegionRow(Aws, "eu-west-1", "Ireland", DsEntVdc),
        RegionRow(Aws, "eu-west-3", "Paris", VdcOnly),
        RegionRow(Aws, "sa-east-1", "São Paulo", DsEntVdc),
        RegionRow(Aws, "us-east-1", "N. Virginia", DsEntVdc),
        RegionRow(Aws, "us-east-2", "Ohio", DsEntVdc),
        RegionRow(Aws, "us-west-2", "Oregon", VdcOnly),
        RegionRow(Aws, "ap-northeast-1", "Tokyo", VdcOnly),
        RegionRow(Aws, "ap-northeast-2", "Seoul", VdcOnly),
        RegionRow(Aws, "ap-northeast-3", "Osaka", VdcOnly),
        RegionRow(Aws, "ap-east-1", "Hong Kong", VdcOnly),
        RegionRow(Aws, "ca-central-1", "Canada Central", VdcOnly),
        RegionRow(Aws, "eu-north-1", "Stockholm", VdcOnly),
        RegionRow(Aws, "eu-south-1", "Milan", VdcOnly),
        RegionRow(Aws, "eu-west-2", "London", VdcOnly),
        RegionRow(Aws, "il-central-1", "Tel Aviv", VdcOnly),
        RegionRow(Aws, "me-central-1", "UAE", VdcOnly),
        RegionRow(Aws, "mx-central-1", "Mexico Central", VdcOnly),
        // Azure.
        RegionRow(Azure, "brazilsouth", "Brazil South", ProBcDs),
        RegionRow(Azure, "centralindia", "Central India", ProBcDs),
        RegionRow(Azure, "eastus", "East US", ProBcDs),
        RegionRow(Azure, "francecentral", "France Central", ProBcDs),
        RegionRow(Azure, "koreacentral", "Korea Central", ProBcDs),
        RegionRow(Azure, "uksouth", "UK South", ProBcDs),
        RegionRow(Azure, "westus3", "West US 3", ProBcDs),
        RegionRow(Azure, "australiaeast", "Australia East", DsEntVdc),
        RegionRow(Azure, "centralus", "Central US", DsEntVdc),
        RegionRow(Azure, "eastus2", "East US 2", DsEntVdc),
        RegionRow(Azure, "germanywestcentral", "Germany West Central", DsEntVdc),
        RegionRow(Azure, "northeurope", "North Europe", DsEntVdc),
        RegionRow(Azure, "southcentralus", "South Central US", DsEntVdc),
        RegionRow(Azure, "southeastasia", "Southeast Asia", DsEntVdc),
        RegionRow(Azure, "westeurope", "West Europe", DsEntVdc),
        RegionRow(Azure, "canadacentral", "Canada Central", VdcOnly),
        RegionRow(Azure, "southafricanorth", "South Africa North", VdcOnly),
        RegionRow(Azure, "switzerlandnorth", "Switzerland North", VdcOnly),
        RegionRow(Azure, "uaenorth", "UAE North", VdcOnly),
        RegionRow(Azure, "japaneast", "Japan East", VdcOnly),
        RegionRow(Azure, "norwaywest", "Norway West", VdcOnly),
        RegionRow(Azure, "westus2", "West US 2", VdcOnly),
    ]
};

/// Memory sizes (GB) a type is offered in. Storage is always twice the memory
/// (the typical pairing, docs/aura-api.md §5).
pub fn memory_sizes_gb(t: &InstanceType) -> &'static [u32] {
    match t {
        InstanceType::FreeDb => &[1],
        InstanceType::ProfessionalDb => &[1, 2, 4, 8, 16, 24, 32, 48, 64, 128],
        InstanceType::ProfessionalDs => &[4, 8, 16, 24, 32, 48, 64, 128],
        InstanceType::BusinessCritical | InstanceType::EnterpriseDb => {
            &[2, 4, 8, 16, 24, 32, 48, 64, 128, 192, 256, 384, 512]
        }
        InstanceType::EnterpriseDs => &[8, 16, 24, 32, 48, 64, 128, 192, 256, 384, 512],
        InstanceType::Other(_) => &[],
    }
}

/// The storage offered with a memory size, in GB.
pub fn storage_for_memory_gb(memory_gb: u32) -> u32 {
    memory_gb * 2
}

/// Every `(provider, region, region_name)` that offers `t`, deduplicated, in table order.
pub fn regions_for(t: &InstanceType) -> Vec<(CloudProvider, &'static str, String)> {
    let mut out: Vec<(CloudProvider, &'static str, String)> = Vec::new();
    if *t == InstanceType::FreeDb {
        out.push((FREE_CLOUD, FREE_REGION, "Belgium (europe-west1)".to_owned()));
        return out;
    }
    for RegionRow(cloud, code, human, tiers) in REGIONS {
        if tiers.offers(t) && !out.iter().any(|(c, r, _)| c == cloud && r == code) {
            out.push((cloud.clone(), code, format!("{human} ({code})")));
        }
    }
    out
}

/// The instance types the catalogue knows (every known [`InstanceType`]).
pub fn instance_types() -> &'static [InstanceType] {
    InstanceType::KNOWN
}

/// The full flat cross-product of offered configurations for `types`, as
/// `GET /tenants/{id}` returns it.
pub fn configurations(types: &[InstanceType]) -> Vec<InstanceConfiguration> {
    let mut out = Vec::new();
    for t in types {
        for (cloud, region, region_name) in regions_for(t) {
            for version in VERSIONS {
                for &m in memory_sizes_gb(t) {
                    out.push(InstanceConfiguration {
                        region: region.to_owned(),
                        region_name: region_name.clone(),
                        instance_type: t.clone(),
                        memory: gb(m),
                        storage: gb(storage_for_memory_gb(m)),
                        version: (*version).to_owned(),
                        cloud_provider: cloud.clone(),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_is_one_place_one_size() {
        let c = configurations(&[InstanceType::FreeDb]);
        assert_eq!(c.len(), VERSIONS.len());
        assert!(
            c.iter()
                .all(|c| c.region == FREE_REGION && c.memory == FREE_MEMORY)
        );
    }

    #[test]
    fn every_type_is_offered_on_every_cloud() {
        for t in instance_types()
            .iter()
            .filter(|t| **t != InstanceType::FreeDb)
        {
            for cloud in CloudProvider::KNOWN {
                assert!(
                    regions_for(t).iter().any(|(c, _, _)| c == cloud),
                    "{t} not on {cloud}"
                );
            }
        }
    }

    #[test]
    fn sizes_are_known_sizes() {
        for t in instance_types() {
            for &m in memory_sizes_gb(t) {
                assert!(ALL_MEMORY_GB.contains(&m));
                assert!(ALL_STORAGE_GB.contains(&storage_for_memory_gb(m)));
            }
        }
    }
}
