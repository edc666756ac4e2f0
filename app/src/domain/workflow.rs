//! Workflows as data (B-b, B-c), modelled on DIGIT workflow-v2: a workflow is a list of states,
//! each mapped to one of the ten national status codes (REQUIREMENTS §0), and each state lists
//! the actions that leave it, who may take them and where they lead. The engine is pure: the
//! server asks it whether an action is legal and where it goes, then records the move.
//!
//! Conventions that the law fixes and the graph check enforces:
//! - the first state is where a submitted dossier waits (status 1, "Mới đăng ký");
//! - supplement (5) and payment (6) states stop the clock (Decree 61/2018 Art. 16–19), and
//!   their actions lead back to the state the dossier came from (`"@back"`);
//! - end states are refused (3), stopped (8), withdrawn (7) or returned (10), and at least one
//!   end state returns a result.
use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::account::Role;
use super::dossier::Status;

/// Where an action leads when it goes back to the state before a side state.
pub const BACK: &str = "@back";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// One-stop officer accepts the dossier (receipt slip).
    Accept,
    /// Refused at intake, with the reason (refusal slip).
    Refuse,
    /// Ask the applicant for what is missing; the clock stops.
    RequestSupplement,
    /// The applicant sends the supplement; the clock runs again.
    Resubmit,
    /// Hand the dossier to an officer of the unit.
    Assign,
    /// Send the dossier to another unit (inter-unit step).
    Transfer,
    /// Specialist finished and proposes the result for approval.
    Propose,
    /// Leader approves.
    Approve,
    /// Leader sends the dossier back for rework.
    SendBack,
    /// The appraising unit sends its opinion back to the home unit.
    ReturnAppraisal,
    /// Ask the applicant to pay fees or charges (status 6); the clock stops.
    RequestPayment,
    /// The applicant has paid.
    Pay,
    /// The signed result document is attached; the dossier is processed (status 9).
    AttachResult,
    /// The result is handed over (status 10).
    ReturnResult,
    /// Processing is stopped, with the reason (status 8).
    Stop,
    /// The applicant asks to withdraw (status 7).
    RequestWithdrawal,
    /// An officer accepts the withdrawal: the dossier ends.
    AcceptWithdrawal,
    /// An officer refuses the withdrawal: back to where it was.
    RefuseWithdrawal,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Refuse => "refuse",
            Self::RequestSupplement => "request_supplement",
            Self::Resubmit => "resubmit",
            Self::Assign => "assign",
            Self::Transfer => "transfer",
            Self::Propose => "propose",
            Self::Approve => "approve",
            Self::SendBack => "send_back",
            Self::ReturnAppraisal => "return_appraisal",
            Self::RequestPayment => "request_payment",
            Self::Pay => "pay",
            Self::AttachResult => "attach_result",
            Self::ReturnResult => "return_result",
            Self::Stop => "stop",
            Self::RequestWithdrawal => "request_withdrawal",
            Self::AcceptWithdrawal => "accept_withdrawal",
            Self::RefuseWithdrawal => "refuse_withdrawal",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        ALL_ACTIONS.into_iter().find(|a| a.as_str() == s)
    }

    /// The button text (Vietnamese, English).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Accept => ("Tiếp nhận", "Accept"),
            Self::Refuse => ("Từ chối tiếp nhận", "Refuse"),
            Self::RequestSupplement => ("Yêu cầu bổ sung", "Request a supplement"),
            Self::Resubmit => ("Gửi bổ sung", "Send the supplement"),
            Self::Assign => ("Phân công xử lý", "Assign"),
            Self::Transfer => ("Chuyển đơn vị thẩm định", "Send for appraisal"),
            Self::Propose => ("Trình lãnh đạo phê duyệt", "Propose for approval"),
            Self::Approve => ("Phê duyệt", "Approve"),
            Self::SendBack => ("Trả lại để xử lý lại", "Send back"),
            Self::ReturnAppraisal => ("Gửi ý kiến thẩm định", "Return the appraisal"),
            Self::RequestPayment => ("Yêu cầu nộp phí, lệ phí", "Request payment"),
            Self::Pay => ("Đã nộp phí, lệ phí", "Paid"),
            Self::AttachResult => ("Đính kèm kết quả", "Attach the result"),
            Self::ReturnResult => ("Xác nhận đã trả kết quả", "Confirm the result was returned"),
            Self::Stop => ("Dừng xử lý", "Stop processing"),
            Self::RequestWithdrawal => ("Yêu cầu rút hồ sơ", "Withdraw"),
            Self::AcceptWithdrawal => ("Đồng ý rút hồ sơ", "Accept the withdrawal"),
            Self::RefuseWithdrawal => ("Không đồng ý rút hồ sơ", "Refuse the withdrawal"),
        }
    }
}

pub const ALL_ACTIONS: [ActionKind; 18] = [
    ActionKind::Accept,
    ActionKind::Refuse,
    ActionKind::RequestSupplement,
    ActionKind::Resubmit,
    ActionKind::Assign,
    ActionKind::Transfer,
    ActionKind::Propose,
    ActionKind::Approve,
    ActionKind::SendBack,
    ActionKind::ReturnAppraisal,
    ActionKind::RequestPayment,
    ActionKind::Pay,
    ActionKind::AttachResult,
    ActionKind::ReturnResult,
    ActionKind::Stop,
    ActionKind::RequestWithdrawal,
    ActionKind::AcceptWithdrawal,
    ActionKind::RefuseWithdrawal,
];

/// Who takes an action: officers with one of `roles` in the unit that holds the dossier, or the
/// applicant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    /// A state key, or [`BACK`].
    pub to: String,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub applicant: bool,
    /// A reason or instruction must be written (refusal, supplement, stop, send back).
    #[serde(default)]
    pub note: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub key: String,
    pub name_vi: String,
    pub name_en: String,
    /// The national status code (1–10) this state is reported as.
    pub status: i32,
    /// The step's time limit in working hours, when it has one.
    #[serde(default)]
    pub sla_hours: Option<u32>,
    #[serde(default)]
    pub actions: Vec<Action>,
}

impl State {
    pub fn status(&self) -> Option<Status> {
        Status::from_code(self.status)
    }

    pub fn is_end(&self) -> bool {
        self.actions.is_empty()
    }

    /// Waiting on the applicant: the dossier's clock stops (B-i).
    pub fn pauses_clock(&self) -> bool {
        matches!(
            self.status(),
            Some(Status::SupplementRequested | Status::PaymentRequested)
        )
    }

    /// A side state whose actions may lead back to where the dossier came from.
    pub fn is_side(&self) -> bool {
        matches!(
            self.status(),
            Some(
                Status::SupplementRequested
                    | Status::PaymentRequested
                    | Status::WithdrawalRequested
            )
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub states: Vec<State>,
}

/// A flaw in a workflow definition (the designer of B-a shows these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    NoStates,
    DuplicateState(String),
    FirstStateNotSubmitted,
    BadStatus(String),
    UnknownTarget { state: String, action: ActionKind },
    BackOutsideSideState { state: String, action: ActionKind },
    NobodyMayAct { state: String, action: ActionKind },
    DuplicateAction { state: String, action: ActionKind },
    Unreachable(String),
    NoWayToEnd(String),
    EndStateNotFinal(String),
    PauseWithClockSla(String),
    NoResultEnd,
}

impl GraphError {
    pub fn message(&self) -> (String, String) {
        match self {
            Self::NoStates => ("Quy trình chưa có bước nào.".into(), "The workflow has no states.".into()),
            Self::DuplicateState(s) => (format!("Bước \"{s}\" bị trùng mã."), format!("State \"{s}\" is defined twice.")),
            Self::FirstStateNotSubmitted => (
                "Bước đầu tiên phải là \"Mới đăng ký\" (trạng thái 1).".into(),
                "The first state must be \"Submitted\" (status 1).".into(),
            ),
            Self::BadStatus(s) => (format!("Bước \"{s}\" có mã trạng thái không hợp lệ."), format!("State \"{s}\" has an invalid status code.")),
            Self::UnknownTarget { state, action } => (
                format!("Thao tác \"{}\" ở bước \"{state}\" dẫn tới bước không tồn tại.", action.label().0),
                format!("Action \"{}\" in \"{state}\" leads to an unknown state.", action.label().1),
            ),
            Self::BackOutsideSideState { state, action } => (
                format!("Thao tác \"{}\" ở bước \"{state}\" chỉ được quay lại từ bước chờ bổ sung, nộp phí hoặc rút hồ sơ.", action.label().0),
                format!("Action \"{}\" in \"{state}\" may go back only from a supplement, payment or withdrawal state.", action.label().1),
            ),
            Self::NobodyMayAct { state, action } => (
                format!("Thao tác \"{}\" ở bước \"{state}\" chưa gán vai trò thực hiện.", action.label().0),
                format!("Nobody may take \"{}\" in \"{state}\".", action.label().1),
            ),
            Self::DuplicateAction { state, action } => (
                format!("Thao tác \"{}\" xuất hiện hai lần ở bước \"{state}\".", action.label().0),
                format!("Action \"{}\" appears twice in \"{state}\".", action.label().1),
            ),
            Self::Unreachable(s) => (format!("Không thể đi tới bước \"{s}\"."), format!("State \"{s}\" cannot be reached.")),
            Self::NoWayToEnd(s) => (format!("Từ bước \"{s}\" không thể kết thúc hồ sơ."), format!("No end can be reached from \"{s}\".")),
            Self::EndStateNotFinal(s) => (
                format!("Bước kết thúc \"{s}\" phải là từ chối, dừng xử lý, rút hồ sơ hoặc đã trả kết quả."),
                format!("End state \"{s}\" must be refused, stopped, withdrawn or returned."),
            ),
            Self::PauseWithClockSla(s) => (
                format!("Bước chờ người nộp \"{s}\" không được có thời hạn xử lý."),
                format!("State \"{s}\" waits on the applicant and cannot have a time limit."),
            ),
            Self::NoResultEnd => (
                "Quy trình phải có bước \"Đã trả kết quả\" (trạng thái 10).".into(),
                "The workflow needs a \"Returned\" end state (status 10).".into(),
            ),
        }
    }
}

/// Why an action is refused at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransitionError {
    /// The dossier's state is not in this workflow (data out of date).
    UnknownState,
    /// The action is not offered in this state.
    NotHere,
    /// The actor lacks the role (or is not the applicant).
    NotAllowed,
    /// `@back` with no state to go back to.
    NoWayBack,
    /// A reason must be given.
    NoteRequired,
}

/// Who is acting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor<'a> {
    Applicant,
    /// An officer with these roles in the unit holding the dossier.
    Officer(&'a [Role]),
}

impl Action {
    pub fn permits(&self, who: &Actor<'_>) -> bool {
        match who {
            Actor::Applicant => self.applicant,
            Actor::Officer(roles) => self.roles.iter().any(|r| roles.contains(r)),
        }
    }
}

impl Workflow {
    pub fn state(&self, key: &str) -> Option<&State> {
        self.states.iter().find(|s| s.key == key)
    }

    pub fn first(&self) -> Option<&State> {
        self.states.first()
    }

    /// The actions `who` may take in `state`.
    pub fn actions_for<'w>(&'w self, state: &str, who: &Actor<'_>) -> Vec<&'w Action> {
        self.state(state)
            .map(|s| s.actions.iter().filter(|a| a.permits(who)).collect())
            .unwrap_or_default()
    }

    /// Checks an action and returns the state it leads to. `back` is the state the dossier
    /// left for the side state it is in, if any.
    pub fn next<'w>(
        &'w self,
        state: &str,
        kind: ActionKind,
        who: &Actor<'_>,
        note: &str,
        back: Option<&str>,
    ) -> Result<&'w State, TransitionError> {
        let s = self.state(state).ok_or(TransitionError::UnknownState)?;
        let a = s
            .actions
            .iter()
            .find(|a| a.kind == kind)
            .ok_or(TransitionError::NotHere)?;
        if !a.permits(who) {
            return Err(TransitionError::NotAllowed);
        }
        if a.note && note.trim().is_empty() {
            return Err(TransitionError::NoteRequired);
        }
        let to = if a.to == BACK {
            back.ok_or(TransitionError::NoWayBack)?
        } else {
            a.to.as_str()
        };
        self.state(to).ok_or(TransitionError::UnknownState)
    }

    /// Every flaw of the graph; empty when the workflow may be published.
    pub fn check(&self) -> Vec<GraphError> {
        let mut errs = Vec::new();
        let Some(first) = self.states.first() else {
            return vec![GraphError::NoStates];
        };
        if first.status() != Some(Status::Submitted) {
            errs.push(GraphError::FirstStateNotSubmitted);
        }
        let mut seen = BTreeSet::new();
        for s in &self.states {
            if !seen.insert(s.key.as_str()) {
                errs.push(GraphError::DuplicateState(s.key.clone()));
            }
            match s.status() {
                None | Some(Status::Draft) => errs.push(GraphError::BadStatus(s.key.clone())),
                Some(st) if s.is_end() => {
                    if !matches!(
                        st,
                        Status::Refused
                            | Status::Stopped
                            | Status::WithdrawalRequested
                            | Status::Returned
                    ) {
                        errs.push(GraphError::EndStateNotFinal(s.key.clone()));
                    }
                }
                Some(_) => {}
            }
            if s.is_side() && s.sla_hours.is_some() {
                errs.push(GraphError::PauseWithClockSla(s.key.clone()));
            }
            let mut kinds = BTreeSet::new();
            for a in &s.actions {
                if !kinds.insert(a.kind) {
                    errs.push(GraphError::DuplicateAction {
                        state: s.key.clone(),
                        action: a.kind,
                    });
                }
                if a.roles.is_empty() && !a.applicant {
                    errs.push(GraphError::NobodyMayAct {
                        state: s.key.clone(),
                        action: a.kind,
                    });
                }
                if a.to == BACK {
                    if !s.is_side() {
                        errs.push(GraphError::BackOutsideSideState {
                            state: s.key.clone(),
                            action: a.kind,
                        });
                    }
                } else if self.state(&a.to).is_none() {
                    errs.push(GraphError::UnknownTarget {
                        state: s.key.clone(),
                        action: a.kind,
                    });
                }
            }
        }
        if !self
            .states
            .iter()
            .any(|s| s.is_end() && s.status() == Some(Status::Returned))
        {
            errs.push(GraphError::NoResultEnd);
        }
        // Edges, with "@back" leading to every state that enters the side state.
        let index: HashMap<&str, usize> = self
            .states
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key.as_str(), i))
            .collect();
        let n = self.states.len();
        let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for (i, s) in self.states.iter().enumerate() {
            for a in &s.actions {
                if let Some(&j) = index.get(a.to.as_str()) {
                    edges[i].insert(j);
                }
            }
        }
        for (i, s) in self.states.iter().enumerate() {
            if s.actions.iter().any(|a| a.to == BACK) {
                let into: Vec<usize> = (0..n)
                    .filter(|&k| k != i && edges[k].contains(&i))
                    .collect();
                edges[i].extend(into);
            }
        }
        let reach = |start: usize, edges: &[BTreeSet<usize>]| {
            let mut seen = vec![false; n];
            let mut stack = vec![start];
            while let Some(x) = stack.pop() {
                if std::mem::replace(&mut seen[x], true) {
                    continue;
                }
                stack.extend(edges[x].iter().copied());
            }
            seen
        };
        let from_first = reach(0, &edges);
        for (i, s) in self.states.iter().enumerate() {
            if !from_first[i] {
                errs.push(GraphError::Unreachable(s.key.clone()));
            }
        }
        let mut reverse: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for (i, out) in edges.iter().enumerate() {
            for &j in out {
                reverse[j].insert(i);
            }
        }
        let mut to_end = vec![false; n];
        for (i, s) in self.states.iter().enumerate() {
            if s.is_end() {
                for (k, r) in reach(i, &reverse).into_iter().enumerate() {
                    to_end[k] |= r;
                }
            }
        }
        for (i, s) in self.states.iter().enumerate() {
            if from_first[i] && !to_end[i] {
                errs.push(GraphError::NoWayToEnd(s.key.clone()));
            }
        }
        errs
    }
}

impl ActionKind {
    /// The label of the text an officer must write for this action, when it needs one.
    pub fn note_label(self) -> (&'static str, &'static str) {
        match self {
            Self::Refuse => ("Lý do không tiếp nhận", "Why the dossier is refused"),
            Self::RequestSupplement => (
                "Nội dung yêu cầu bổ sung (ghi rõ, đầy đủ một lần)",
                "What must be added (all of it, in one request)",
            ),
            Self::Stop => ("Lý do dừng xử lý", "Why processing stops"),
            Self::SendBack => ("Lý do trả lại", "Why it is sent back"),
            Self::Transfer => (
                "Nội dung đề nghị thẩm định",
                "What the appraisal should cover",
            ),
            Self::ReturnAppraisal => ("Ý kiến thẩm định", "Appraisal opinion"),
            Self::RefuseWithdrawal => ("Lý do không đồng ý", "Why the withdrawal is refused"),
            Self::RequestWithdrawal => ("Lý do rút hồ sơ", "Why you withdraw"),
            _ => ("Ghi chú", "Note"),
        }
    }

    /// Taken by the applicant, or with a file: not offered as a plain officer button.
    pub fn is_officer_button(self) -> bool {
        !matches!(
            self,
            Self::Resubmit | Self::RequestWithdrawal | Self::AttachResult
        )
    }
}

/// One action an officer may take now, as the dossier page offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOffer {
    pub kind: ActionKind,
    pub note: bool,
}

/// Which dossiers an officer inbox lists (B-k). By default only those still being handled: a
/// unit with years of returned dossiers keeps a short, fast list; a search looks at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Open,
    All,
    Only(Status),
}

impl Scope {
    /// Statuses of a dossier not yet finished: from submitted to processed (awaiting return).
    pub const OPEN: [Status; 7] = [
        Status::Submitted,
        Status::Accepted,
        Status::InProcess,
        Status::SupplementRequested,
        Status::PaymentRequested,
        Status::WithdrawalRequested,
        Status::Processed,
    ];

    /// From the `trang-thai` query value: empty = open, `tat-ca` = all, a code 1–10 = that status.
    pub fn parse(s: &str) -> Scope {
        match s.trim() {
            "tat-ca" => Scope::All,
            v => v
                .parse()
                .ok()
                .and_then(Status::from_code)
                .filter(|s| *s != Status::Draft)
                .map_or(Scope::Open, Scope::Only),
        }
    }

    /// The statuses listed; a search (non-empty `q`) in the open scope looks at all.
    pub fn statuses(self, searching: bool) -> Vec<Status> {
        match self {
            Scope::Open if !searching => Self::OPEN.to_vec(),
            Scope::Open | Scope::All => Status::ALL[1..].to_vec(),
            Scope::Only(s) => vec![s],
        }
    }
}

/// A row of the officer inbox (B-k), most urgent first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRow {
    pub id: i32,
    pub code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub status: Status,
    pub state_vi: String,
    pub state_en: String,
    pub due_date: Option<String>,
    /// Against the dossier's due date; None while the clock is paused or without a limit.
    pub urgency: Option<super::calendar::Urgency>,
    pub step_due_at: Option<i64>,
    pub step_overdue: bool,
    pub assignee_name: Option<String>,
    pub mine: bool,
    pub can_act: bool,
    pub channel: String,
    /// The inbox's bulk actions (accept, assign) this officer may take on it now (B-c).
    pub bulk: Vec<ActionKind>,
}

/// Actions an officer may take on many dossiers at once from the inbox (B-c): intake and
/// hand-out are the repetitive ones; everything else needs a look at the dossier.
pub const BULK_ACTIONS: [ActionKind; 2] = [ActionKind::Accept, ActionKind::Assign];

/// Most dossiers one bulk action takes: a page of the inbox.
pub const BULK_MAX: usize = 100;

/// What a bulk action did: each dossier succeeds or fails on its own, in its own transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub kind: Option<ActionKind>,
    /// (dossier id, code) done.
    pub done: Vec<(i32, String)>,
    /// (code, why in Vietnamese, why in English).
    pub failed: Vec<(String, String, String)>,
}

/// The supervisor dashboard (B-c): load and lateness of the units a leader supervises now,
/// per unit and per officer, the late dossiers, and the last 30 days' throughput.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Supervision {
    pub units: Vec<Load>,
    pub officers: Vec<Load>,
    /// Late open dossiers, most days late first.
    pub overdue: Vec<LateRow>,
    /// More late dossiers than the list shows.
    pub overdue_more: u32,
    /// The last 30 days (from, to) and their counts over the supervised units.
    pub period: (String, String),
    pub recent: super::report::Counts,
}

/// Open dossiers of one unit or one officer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    pub id: i32,
    pub name: String,
    /// Being handled (statuses 1, 2, 4, 5, 6, 7, 9).
    pub open: u32,
    /// Past the due date while the clock runs.
    pub overdue: u32,
    /// Due today or within the warning window.
    pub due_soon: u32,
    /// The current step is past its deadline (in working hours).
    pub step_overdue: u32,
    /// Clock stopped: waiting for the applicant's supplement or payment.
    pub paused: u32,
    /// Accepted but nobody assigned yet (units only).
    pub unassigned: u32,
}

/// A late open dossier on the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateRow {
    pub id: i32,
    pub code: String,
    pub procedure_name: String,
    pub unit_name: String,
    pub assignee_name: Option<String>,
    pub due_date: String,
    /// Working days past the due date.
    pub days_late: u32,
}

/// The officer's view of a dossier: the citizen-facing view plus the workflow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkView {
    pub dossier: super::dossier::DossierView,
    pub state_vi: String,
    pub state_en: String,
    pub holding_unit: String,
    pub assignee_name: Option<String>,
    pub step_due_at: Option<i64>,
    pub urgency: Option<super::calendar::Urgency>,
    pub actions: Vec<ActionOffer>,
    /// Officers the dossier may be assigned to (specialists of the holding unit).
    pub assignees: Vec<(i32, String)>,
    /// Units a dossier may be sent to for appraisal.
    pub units: Vec<(i32, String)>,
    pub can_attach_result: bool,
    /// A result waiting for the agency's remote signature (P-4), by file name.
    #[serde(default)]
    pub result_signing: Option<String>,
    /// The apology and new appointment slip may be issued now (Decree 61/2018).
    pub can_apologise: bool,
    /// The due date before an apology slip moved it.
    pub first_due_date: Option<String>,
    /// Processed: whether on time.
    pub on_time: Option<bool>,
    pub paused: bool,
    /// Inter-agency transfers of this dossier (liên thông, B-m).
    pub transfers: Vec<TransferView>,
    /// The agencies it may be sent to now, by configuration index; empty when it may not.
    pub lienthong_targets: Vec<(usize, String)>,
}

/// A dossier sent to another agency's instance and what it answered (liên thông, B-m).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferView {
    pub peer: String,
    pub note: Option<String>,
    pub sent_at: i64,
    pub delivered_at: Option<i64>,
    pub outcome: Option<super::dossier::Status>,
    pub outcome_note: Option<String>,
    pub outcome_at: Option<i64>,
}

/// The seeded workflows (migration/seed/workflows.json), one per shape.
#[cfg(any(test, feature = "ssr"))]
pub fn seeded() -> Vec<Workflow> {
    serde_json::from_str(SEEDED).unwrap_or_default()
}

#[cfg(any(test, feature = "ssr"))]
const SEEDED: &str = include_str!("../../../migration/seed/workflows.json");

#[cfg(test)]
mod tests {
    use super::*;

    fn wf(code: &str) -> Workflow {
        seeded()
            .into_iter()
            .find(|w| w.code == code)
            .expect("seeded workflow")
    }

    #[test]
    fn seeded_workflows_are_valid_and_distinct() {
        let all = seeded();
        assert!(all.len() >= 3, "three shapes at least");
        for w in &all {
            assert_eq!(w.check(), vec![], "{}", w.code);
        }
        let shapes: BTreeSet<Vec<&str>> = all
            .iter()
            .map(|w| w.states.iter().map(|s| s.key.as_str()).collect())
            .collect();
        assert!(shapes.len() >= 3);
    }

    const COUNTER: &[Role] = &[Role::OneStopOfficer];
    const SPECIALIST: &[Role] = &[Role::Specialist];
    const LEADER: &[Role] = &[Role::UnitLeader];

    /// Walks a path of (actor, action, expected state) from the first state.
    fn walk(w: &Workflow, steps: &[(Actor<'_>, ActionKind, &str)]) {
        let mut at = w.first().unwrap().key.clone();
        let mut back: Option<String> = None;
        for (who, kind, want) in steps {
            let from = w.state(&at).unwrap();
            let to = w
                .next(&at, *kind, who, "lý do", back.as_deref())
                .unwrap_or_else(|e| panic!("{}: {:?} from {at} refused: {e:?}", w.code, kind));
            assert_eq!(to.key, *want, "{}: {:?} from {at}", w.code, kind);
            if to.is_side() && !from.is_side() {
                back = Some(at.clone());
            }
            at = to.key.clone();
        }
    }

    #[test]
    fn one_step_at_the_counter() {
        use ActionKind::*;
        let w = wf("mot-cua");
        walk(
            &w,
            &[
                (Actor::Officer(COUNTER), Accept, "processing"),
                (Actor::Officer(COUNTER), RequestSupplement, "supplement"),
                (Actor::Applicant, Resubmit, "processing"),
                (Actor::Officer(COUNTER), AttachResult, "processed"),
                (Actor::Officer(COUNTER), ReturnResult, "returned"),
            ],
        );
        assert_eq!(
            w.state("returned").unwrap().status(),
            Some(Status::Returned)
        );
    }

    #[test]
    fn counter_specialist_leader() {
        use ActionKind::*;
        let w = wf("mot-cua-chuyen-vien-lanh-dao");
        walk(
            &w,
            &[
                (Actor::Officer(COUNTER), Accept, "assigning"),
                (Actor::Officer(LEADER), Assign, "processing"),
                (Actor::Officer(SPECIALIST), Propose, "approval"),
                (Actor::Officer(LEADER), SendBack, "processing"),
                (Actor::Officer(SPECIALIST), RequestPayment, "payment"),
                (Actor::Applicant, Pay, "processing"),
                (Actor::Officer(SPECIALIST), Propose, "approval"),
                (Actor::Officer(LEADER), Approve, "result"),
                (Actor::Officer(COUNTER), AttachResult, "processed"),
                (Actor::Officer(COUNTER), ReturnResult, "returned"),
            ],
        );
    }

    #[test]
    fn transfer_to_another_unit_and_back() {
        use ActionKind::*;
        let w = wf("lien-thong-tham-dinh");
        walk(
            &w,
            &[
                (Actor::Officer(COUNTER), Accept, "processing"),
                (Actor::Officer(SPECIALIST), Transfer, "appraisal"),
                (Actor::Officer(SPECIALIST), ReturnAppraisal, "processing"),
                (Actor::Officer(SPECIALIST), Propose, "approval"),
                (Actor::Officer(LEADER), Approve, "result"),
                (Actor::Officer(COUNTER), AttachResult, "processed"),
                (Actor::Officer(COUNTER), ReturnResult, "returned"),
            ],
        );
    }

    #[test]
    fn withdrawal_and_refusal_end_the_dossier() {
        use ActionKind::*;
        for w in seeded() {
            walk(&w, &[(Actor::Officer(COUNTER), Refuse, "refused")]);
            let accepted = w
                .next("submitted", Accept, &Actor::Officer(COUNTER), "", None)
                .unwrap()
                .key
                .clone();
            // The applicant may withdraw; refusing it goes back, accepting it ends the dossier.
            let side = w
                .next(
                    &accepted,
                    RequestWithdrawal,
                    &Actor::Applicant,
                    "lý do",
                    None,
                )
                .unwrap();
            assert_eq!(side.status(), Some(Status::WithdrawalRequested));
            let again = w
                .next(
                    &side.key,
                    RefuseWithdrawal,
                    &Actor::Officer(COUNTER),
                    "không đủ căn cứ",
                    Some(&accepted),
                )
                .unwrap();
            assert_eq!(again.key, accepted);
            let end = w
                .next(
                    &side.key,
                    AcceptWithdrawal,
                    &Actor::Officer(COUNTER),
                    "",
                    Some(&accepted),
                )
                .unwrap();
            assert!(end.is_end(), "{}", w.code);
        }
    }

    /// Every (state, action, actor) triple not offered by the definition is refused, and every
    /// offered one is accepted: the engine adds nothing of its own.
    #[test]
    fn every_legal_and_illegal_transition() {
        let actors: [(Actor<'_>, &str); 5] = [
            (Actor::Applicant, "applicant"),
            (Actor::Officer(COUNTER), "counter"),
            (Actor::Officer(SPECIALIST), "specialist"),
            (Actor::Officer(LEADER), "leader"),
            (Actor::Officer(&[Role::AgencyAdmin]), "admin"),
        ];
        for w in seeded() {
            let mut legal = 0;
            for s in &w.states {
                for kind in ALL_ACTIONS {
                    for (who, _) in &actors {
                        let offered = s.actions.iter().find(|a| a.kind == kind);
                        let r = w.next(&s.key, kind, who, "lý do", Some(&w.states[0].key));
                        match offered {
                            None => assert_eq!(r.err(), Some(TransitionError::NotHere)),
                            Some(a) if !a.permits(who) => {
                                assert_eq!(r.err(), Some(TransitionError::NotAllowed))
                            }
                            Some(_) => {
                                legal += 1;
                                assert!(r.is_ok());
                            }
                        }
                    }
                }
                assert!(!s.is_end() || w.actions_for(&s.key, &Actor::Officer(COUNTER)).is_empty());
            }
            assert!(legal > 5);
            // Agency administrators manage people, they do not process dossiers.
            assert!(w.states.iter().all(|s| w
                .actions_for(&s.key, &Actor::Officer(&[Role::AgencyAdmin]))
                .is_empty()));
        }
        // A reason is required where the law asks for one.
        let w = wf("mot-cua");
        assert_eq!(
            w.next(
                "submitted",
                ActionKind::Refuse,
                &Actor::Officer(COUNTER),
                "  ",
                None
            )
            .err(),
            Some(TransitionError::NoteRequired)
        );
        assert_eq!(
            w.next(
                "nowhere",
                ActionKind::Accept,
                &Actor::Officer(COUNTER),
                "",
                None
            )
            .err(),
            Some(TransitionError::UnknownState)
        );
    }

    #[test]
    fn graph_check_finds_each_flaw() {
        let mut w = wf("mot-cua");
        assert!(w.check().is_empty());
        // An island state nobody can reach, which also cannot end.
        w.states.push(State {
            key: "island".into(),
            name_vi: "Đảo".into(),
            name_en: "Island".into(),
            status: 4,
            sla_hours: None,
            actions: vec![Action {
                kind: ActionKind::Stop,
                to: "island".into(),
                roles: vec![Role::UnitLeader],
                applicant: false,
                note: true,
            }],
        });
        let errs = w.check();
        assert!(errs.contains(&GraphError::Unreachable("island".into())));
        w.states.pop();
        // A loop with no exit.
        let mut loopy = wf("mot-cua");
        for s in &mut loopy.states {
            for a in &mut s.actions {
                if a.to == "returned"
                    || a.to == "refused"
                    || a.to == "stopped"
                    || a.to == "withdrawn"
                {
                    a.to = s.key.clone();
                }
            }
        }
        let errs = loopy.check();
        assert!(
            errs.iter().any(|e| matches!(e, GraphError::NoWayToEnd(_))),
            "{errs:?}"
        );
        assert!(
            errs.iter().any(|e| matches!(e, GraphError::Unreachable(_))),
            "{errs:?}"
        );
        // Unknown targets, back outside a side state, nobody may act, duplicate keys, first state.
        let mut bad = wf("mot-cua");
        bad.states[0].actions[0].to = "nowhere".into();
        bad.states[0].actions[1].to = BACK.into();
        bad.states[0].actions[2].roles.clear();
        bad.states[0].status = 2;
        let dup = bad.states[1].clone();
        bad.states.push(dup);
        let errs = bad.check();
        for want in [
            GraphError::FirstStateNotSubmitted,
            GraphError::DuplicateState(bad.states[1].key.clone()),
        ] {
            assert!(errs.contains(&want), "{want:?} in {errs:?}");
        }
        assert!(errs
            .iter()
            .any(|e| matches!(e, GraphError::UnknownTarget { .. })));
        assert!(errs
            .iter()
            .any(|e| matches!(e, GraphError::BackOutsideSideState { .. })));
        assert!(errs
            .iter()
            .any(|e| matches!(e, GraphError::NobodyMayAct { .. })));
        // An end state that is not final, a clock on a pause, no result.
        let mut ends = wf("mot-cua");
        for s in &mut ends.states {
            if s.key == "returned" {
                s.status = 9;
            }
            if s.pauses_clock() {
                s.sla_hours = Some(8);
            }
        }
        let errs = ends.check();
        assert!(errs.contains(&GraphError::EndStateNotFinal("returned".into())));
        assert!(errs.contains(&GraphError::NoResultEnd));
        assert!(errs
            .iter()
            .any(|e| matches!(e, GraphError::PauseWithClockSla(_))));
        assert_eq!(
            Workflow {
                code: "x".into(),
                name_vi: "x".into(),
                name_en: "x".into(),
                states: vec![]
            }
            .check(),
            vec![GraphError::NoStates]
        );
        // Every message is translated.
        for e in errs {
            let (vi, en) = e.message();
            assert!(!vi.is_empty() && !en.is_empty());
        }
    }

    #[test]
    fn inbox_scope_from_query() {
        assert_eq!(Scope::parse(""), Scope::Open);
        assert_eq!(Scope::parse("tat-ca"), Scope::All);
        assert_eq!(Scope::parse("5"), Scope::Only(Status::SupplementRequested));
        assert_eq!(Scope::parse("0"), Scope::Open);
        assert_eq!(Scope::parse("x"), Scope::Open);
        let open = Scope::Open.statuses(false);
        assert!(!open.contains(&Status::Returned) && open.contains(&Status::Processed));
        assert!(Scope::Open.statuses(true).contains(&Status::Returned));
        assert!(!Scope::All.statuses(false).contains(&Status::Draft));
    }
}
