//! Account rules shared by the browser and the server (S-ACC, P-10.1): who is signed in, the
//! roles officers hold per unit, and validation of identity fields.
use serde::{Deserialize, Serialize};

/// What kind of account this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountKind {
    Citizen,
    Organisation,
    Officer,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Organisation => "organisation",
            Self::Officer => "officer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "citizen" => Some(Self::Citizen),
            "organisation" => Some(Self::Organisation),
            "officer" => Some(Self::Officer),
            _ => None,
        }
    }
}

/// Where a session is in the login sequence. Only `Full` may use the portal; the others may
/// only reach the page that completes them (officers: forced password change, 2FA).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Full,
    ChangePassword,
    EnrolTotp,
    Totp,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::ChangePassword => "change_password",
            Self::EnrolTotp => "enrol_totp",
            Self::Totp => "totp",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "full" => Some(Self::Full),
            "change_password" => Some(Self::ChangePassword),
            "enrol_totp" => Some(Self::EnrolTotp),
            "totp" => Some(Self::Totp),
            _ => None,
        }
    }

    /// The page that completes this stage.
    pub fn path(self) -> &'static str {
        match self {
            Self::Full => "/tai-khoan",
            Self::ChangePassword => "/tai-khoan/mat-khau",
            Self::EnrolTotp => "/tai-khoan/xac-thuc-hai-buoc",
            Self::Totp => "/dang-nhap/ma-xac-thuc",
        }
    }
}

/// Officer roles (B-g), each held in one unit; the system administrator's scope is everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OneStopOfficer,
    Specialist,
    UnitLeader,
    AgencyAdmin,
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::OneStopOfficer,
        Role::Specialist,
        Role::UnitLeader,
        Role::AgencyAdmin,
        Role::SystemAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OneStopOfficer => "one_stop_officer",
            Self::Specialist => "specialist",
            Self::UnitLeader => "unit_leader",
            Self::AgencyAdmin => "agency_admin",
            Self::SystemAdmin => "system_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self, vi: bool) -> &'static str {
        match (self, vi) {
            (Self::OneStopOfficer, true) => "Cán bộ một cửa",
            (Self::OneStopOfficer, false) => "One-stop officer",
            (Self::Specialist, true) => "Chuyên viên xử lý",
            (Self::Specialist, false) => "Specialist",
            (Self::UnitLeader, true) => "Lãnh đạo đơn vị",
            (Self::UnitLeader, false) => "Unit leader",
            (Self::AgencyAdmin, true) => "Quản trị đơn vị",
            (Self::AgencyAdmin, false) => "Unit administrator",
            (Self::SystemAdmin, true) => "Quản trị hệ thống",
            (Self::SystemAdmin, false) => "System administrator",
        }
    }
}

/// Actions checked on the server (B-g). Later issues add dossier actions here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Create officers and assign roles in a unit.
    ManageOfficers,
    /// Read and verify the audit log, see access statistics.
    ViewAudit,
    /// Work on dossiers of a unit (officer workspace).
    UseWorkspace,
    /// Create and publish procedures, import shared catalogues (B-a, B-e). The province's
    /// catalogue is kept by one office (Decree 63/2010 as amended by Decree 92/2017: the
    /// People's Committee Office controls procedures), so only system administrators hold it.
    ManageCatalogue,
    /// Hand finished dossiers to the archive (B-đ): the one-stop section that returned the
    /// result, and the unit's leaders and administrators.
    Archive,
    /// See the outbox and the integration log, retry dead messages (B-m, EMC-2): deliveries to
    /// national systems concern the whole installation.
    ManageIntegrations,
}

impl Permission {
    fn granted_by(self, role: Role) -> bool {
        match self {
            Self::ManageOfficers => matches!(role, Role::AgencyAdmin | Role::SystemAdmin),
            Self::ViewAudit => role == Role::SystemAdmin,
            Self::UseWorkspace => true,
            Self::ManageCatalogue => role == Role::SystemAdmin,
            Self::Archive => role != Role::Specialist,
            Self::ManageIntegrations => role == Role::SystemAdmin,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub role: Role,
    /// None only for the system administrator.
    pub agency_id: Option<i32>,
    pub agency_name: Option<String>,
}

/// The signed-in user as pages see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i32,
    pub session_id: String,
    pub kind: AccountKind,
    pub full_name: String,
    pub email: String,
    pub stage: Stage,
    pub roles: Vec<RoleGrant>,
}

impl Principal {
    /// Whether the user may do `perm` in unit `agency_id` (None: anywhere). A system
    /// administrator may act everywhere; every other role only in its own unit.
    pub fn can(&self, perm: Permission, agency_id: Option<i32>) -> bool {
        self.stage == Stage::Full
            && self.roles.iter().any(|g| {
                perm.granted_by(g.role)
                    && (g.role == Role::SystemAdmin
                        || (agency_id.is_some() && g.agency_id == agency_id))
            })
    }

    /// Units where the user holds a role granting `perm`.
    pub fn units_for(&self, perm: Permission) -> Vec<i32> {
        self.roles
            .iter()
            .filter(|g| perm.granted_by(g.role))
            .filter_map(|g| g.agency_id)
            .collect()
    }

    /// The roles the user holds in one unit (workflow actions, B-c).
    pub fn roles_in(&self, unit: i32) -> Vec<Role> {
        if self.stage != Stage::Full {
            return Vec::new();
        }
        self.roles
            .iter()
            .filter(|g| g.agency_id == Some(unit))
            .map(|g| g.role)
            .collect()
    }

    pub fn is_system_admin(&self) -> bool {
        self.roles.iter().any(|g| g.role == Role::SystemAdmin)
    }

    pub fn is_officer(&self) -> bool {
        self.kind == AccountKind::Officer
    }
}

/// Profile as the account holder sees it (P-10.1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Profile {
    pub full_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub citizen_id_masked: Option<String>,
    pub kind: AccountKind,
    pub created_at: i64,
    pub totp_enabled: bool,
    pub organisations: Vec<OrgLink>,
    pub representatives: Vec<String>,
    pub deletion_pending: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrgLink {
    pub name: String,
    pub tax_code: String,
    pub relation: String,
}

/// One officer's role in a unit, as administrators see it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OfficerRow {
    pub id: i32,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub agency: String,
    pub active: bool,
    pub totp: bool,
}

/// A pending deletion request as administrators see it (S-PD).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeletionRow {
    pub id: i32,
    pub email: String,
    pub full_name: String,
    pub requested_at: i64,
    pub reason: Option<String>,
}

/// Province codes that open a 12-digit citizen identity (CCCD) number (Circular 59/2021/TT-BCA,
/// Annex I: the 63 pre-2025 provinces; numbers already issued keep them).
const CCCD_PROVINCES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// 12 digits whose first three are a province code (spaces are ignored).
pub fn normalise_citizen_id(s: &str) -> Option<String> {
    let d: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if d.len() != 12 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let province: u16 = d[..3].parse().ok()?;
    CCCD_PROVINCES.contains(&province).then_some(d)
}

/// Masked for lists and pages: only the last three digits show.
pub fn mask_citizen_id(id: &str) -> String {
    let n = id.chars().count();
    id.chars()
        .enumerate()
        .map(|(i, c)| if i + 3 < n { '•' } else { c })
        .collect()
}

/// Vietnamese mobile or landline: 0 + 9–10 digits, or +84 instead of the 0.
pub fn normalise_phone(s: &str) -> Option<String> {
    let d: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let local = if let Some(rest) = d.strip_prefix("+84") {
        format!("0{rest}")
    } else {
        d
    };
    (local.starts_with('0')
        && (10..=11).contains(&local.len())
        && local.bytes().all(|b| b.is_ascii_digit()))
    .then_some(local)
}

/// A deliberately plain check (one @, a dot in the domain, no spaces); the verification email
/// is the real test.
pub fn normalise_email(s: &str) -> Option<String> {
    let e = s.trim().to_lowercase();
    let (local, domain) = e.split_once('@')?;
    let ok = !local.is_empty()
        && e.len() <= 254
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
        && !domain.contains('@')
        && !e.contains(['<', '>', ',', ';', '"']);
    ok.then_some(e)
}

/// Enterprise tax code: 10 digits, or 10 digits + "-" + 3 digits for a branch.
pub fn normalise_tax_code(s: &str) -> Option<String> {
    let t = s.trim();
    let (main, branch) = match t.split_once('-') {
        Some((m, b)) => (m, Some(b)),
        None => (t, None),
    };
    let digits = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
    (digits(main, 10) && branch.is_none_or(|b| digits(b, 3))).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_ids() {
        assert_eq!(
            normalise_citizen_id("048 099 012345").as_deref(),
            Some("048099012345")
        );
        assert!(normalise_citizen_id("04809901234").is_none());
        assert!(
            normalise_citizen_id("003099012345").is_none(),
            "no province 003"
        );
        assert!(normalise_citizen_id("04809901234a").is_none());
        assert_eq!(mask_citizen_id("048099012345"), "•••••••••345");
    }

    #[test]
    fn phones_emails_tax_codes() {
        assert_eq!(
            normalise_phone("+84 905 123 456").as_deref(),
            Some("0905123456")
        );
        assert_eq!(
            normalise_phone("0236.3822.111").as_deref(),
            Some("02363822111")
        );
        assert!(normalise_phone("12345").is_none());
        assert_eq!(
            normalise_email(" An@Example.VN ").as_deref(),
            Some("an@example.vn")
        );
        assert!(normalise_email("an@example").is_none());
        assert!(normalise_email("a b@example.vn").is_none());
        assert!(normalise_tax_code("0401234567").is_some());
        assert!(normalise_tax_code("0401234567-001").is_some());
        assert!(normalise_tax_code("040123456").is_none());
    }

    #[test]
    fn permissions_are_scoped_to_units() {
        let p = |roles: Vec<RoleGrant>| Principal {
            user_id: 1,
            session_id: "s".into(),
            kind: AccountKind::Officer,
            full_name: "A".into(),
            email: "a@x.vn".into(),
            stage: Stage::Full,
            roles,
        };
        let admin_of_5 = p(vec![RoleGrant {
            role: Role::AgencyAdmin,
            agency_id: Some(5),
            agency_name: None,
        }]);
        assert!(admin_of_5.can(Permission::ManageOfficers, Some(5)));
        assert!(!admin_of_5.can(Permission::ManageOfficers, Some(6)));
        assert!(!admin_of_5.can(Permission::ViewAudit, None));
        let sys = p(vec![RoleGrant {
            role: Role::SystemAdmin,
            agency_id: None,
            agency_name: None,
        }]);
        assert!(sys.can(Permission::ManageOfficers, Some(6)));
        assert!(sys.can(Permission::ViewAudit, None));
        let mut pending = sys.clone();
        pending.stage = Stage::Totp;
        assert!(!pending.can(Permission::ViewAudit, None));
    }
}
