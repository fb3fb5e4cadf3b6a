//! Court work standards on Regula: the lifecycle of one standard, the rules the plan
//! states, the catalog of standards, and the plan's progress reports.
//!
//! The first user is a basic-level court (红石林区基层法院) carrying out its
//! "standardization year" plan, 红林法〔2022〕7号: 117 work standards in 3 domains and 21
//! categories, each researched, drafted, put to consultation, approved by the leading
//! group, published under a document number, tracked, revised and finally accepted by
//! the intermediate court. This crate turns that plan into data and a
//! [`Definition`](regula_core::Definition) on the Regula engine: every attempt is
//! checked against the plan's rules and recorded in a hash-chained audit log.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::{TimeDelta, TimeZone, Utc};
//! use regula_core::{Clock, Command, Engine, ManualClock, SeededIds};
//! use regula_standards::lifecycle::{Criterion, Draft, Source, SourceKind, Stage, StandardAction, roles};
//! use regula_standards::plan::{self, GroupBy, Ledger, WorkPlan};
//! use regula_standards::{Catalog, CourtConfig, create_standard, standard_definition};
//!
//! // The built-in catalog: the plan's 117 standards.
//! let catalog = Catalog::builtin()?;
//! let config = CourtConfig::from_catalog(&catalog);
//! let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2023, 3, 1, 1, 0, 0).unwrap()));
//! let engine = Engine::new(standard_definition(&config)?)
//!     .with_clock(clock.clone())
//!     .with_ids(Arc::new(SeededIds::new(7)));
//!
//! // The office opens work on 减假暂案件审判标准, which 立案庭 is responsible for.
//! let office = config.office_staff("wang", "王办公");
//! let entry = catalog.standard("ADJ-01-08").unwrap();
//! let (mut standard, created) = create_standard(&engine, &config, entry, office)?;
//! let mut log = vec![created];
//!
//! let filing = config.department_staff("立案庭", "li", "李立案").unwrap();
//! let act = |action| Command::new(filing.clone(), roles::DEPARTMENT, action);
//! log.push(engine.apply(&mut standard, act(StandardAction::StartDrafting { summary: None }))?);
//!
//! // A draft without a measurable criterion does not go to consultation (三.原则一).
//! let mut draft = Draft {
//!     text: "减假暂案件审判标准（征求意见稿）".into(),
//!     procedural: vec!["收到材料后 3 个工作日内立案并公示".into()],
//!     quality: vec!["裁定书说理充分".into()],
//!     criteria: vec![],
//!     sources: vec![Source {
//!         kind: SourceKind::ManagementYearRule,
//!         title: "加强管理年以来出台的减刑假释案件办理规定".into(),
//!     }],
//!     not_a_copy_of_statute: true,
//! };
//! let refused = engine.apply(&mut standard, act(StandardAction::OpenConsultation { draft: draft.clone() }))?;
//! let reasons = refused.refusal().unwrap();
//! assert!(reasons[0].message.zh.contains("缺少客观、可衡量的评价标准"));
//! log.push(refused);
//!
//! draft.criteria.push(Criterion {
//!     name: "审限内结案率".into(),
//!     measure: "审限内结案数 / 结案数".into(),
//!     target: "≥ 98%".into(),
//! });
//! log.push(engine.apply(&mut standard, act(StandardAction::OpenConsultation { draft }))?);
//! assert_eq!(standard.state(), &Stage::Consultation);
//!
//! // The log verifies, and the reports see the standard in consultation.
//! engine.definition().verify(&log)?;
//! let ledger: Ledger = [standard.data().clone()].into_iter().collect();
//! clock.advance(TimeDelta::days(1));
//! let report = plan::progress(&catalog, &ledger, &WorkPlan::new(), clock.now(), GroupBy::Stage);
//! let consulting = report.rows.iter().find(|r| r.key == "consultation").unwrap();
//! assert_eq!(consulting.codes, ["ADJ-01-08"]);
//! assert_eq!(report.rows[0].label.zh, "未启动");
//! assert_eq!(report.rows[0].total, 116);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where things are
//!
//! - [`catalog`]: [`Catalog`] — the court, its departments, leading group, steps,
//!   domains, categories and standards, loaded from TOML with typed errors.
//! - [`lifecycle`]: [`Stage`], [`StandardAction`] and its payloads, [`roles`].
//! - [`data`]: [`StandardData`] — drafts, opinions, approvals, versions, revisions,
//!   inspections, evaluations, acceptance and the dated stage history.
//! - [`court`]: [`CourtConfig`], [`standard_definition`], actors for each role,
//!   [`create_standard`], and the catalog-wide [`check_document_number`].
//! - [`rules`]: the plan's rules as pure functions, one per guard.
//! - [`table`]: the lifecycle as one typed table: [`Rule`] (name, labels, check) and
//!   the rows of each definition version.
//! - [`plan`]: steps, milestones, the recorded deadlines ([`WorkPlan`]), and the
//!   progress, lateness and load reports over a [`Ledger`].
//! - [`affairs`]: the court-level decisions (core standards, work plans, extensions,
//!   progress hearings), recorded in the rules log ([`rules_log`]).
//! - [`access`]: the store's access log: bearer tokens for the HTTP service, issued
//!   and revoked as records, authenticated by [`service::Court::authenticate`].
//! - [`as_of`]: a standard, and the ledger, as the log stood at a past instant.
//! - [`assessment`]: the yearly department assessment (考核) from the log.
//! - [`department`]: departments, aliases and sub-units.
//!
//! # The lifecycle of a standard
//!
//! Section 五.二 of the plan names the workflow 调研论证 → 文本起草 → 征求意见 → 审议通过 →
//! 正式发布 → 跟踪实施; section 三 adds 修订完善 and, at the end, 评估验收 and 定型固化.
//! The definition `court-standard` v2 (the current version; see
//! [Faithful to the plan](#faithful-to-the-plan-definition-version-2) for how it
//! differs from v1) draws as follows (generated with
//! `definition.to_mermaid(Lang::Zh)`; a test keeps this copy identical):
//!
//! ```mermaid
//! ---
//! title: court-standard v2
//! ---
//! stateDiagram-v2
//!     state "调研论证" as research
//!     state "文本起草" as drafting
//!     state "征求意见" as consultation
//!     state "审议" as approval
//!     state "正式发布" as published
//!     state "跟踪实施" as follow_up
//!     state "修订完善" as revision
//!     state "定型固化" as consolidated
//!     state "废止" as withdrawn
//!     [*] --> research
//!     research --> research: 指定责任部门
//!     research --> research: 变更责任部门
//!     drafting --> drafting: 变更责任部门
//!     consultation --> consultation: 变更责任部门
//!     approval --> approval: 变更责任部门
//!     published --> published: 变更责任部门
//!     follow_up --> follow_up: 变更责任部门
//!     revision --> revision: 变更责任部门
//!     research --> drafting: 开始起草
//!     drafting --> consultation: 征求意见
//!     consultation --> consultation: 登记意见
//!     consultation --> consultation: 答复意见
//!     consultation --> approval: 提交审议
//!     consultation --> drafting: 退回起草
//!     approval --> drafting: 退回起草
//!     consultation --> revision: 退回修订
//!     approval --> revision: 退回修订
//!     approval --> approval: 审议通过
//!     approval --> published: 正式发布
//!     published --> follow_up: 跟踪实施
//!     follow_up --> follow_up: 报告实施情况
//!     follow_up --> revision: 启动修订
//!     revision --> consultation: 征求意见
//!     revision --> follow_up: 终止修订
//!     follow_up --> consolidated: 验收固化
//!     published --> published: 评估
//!     follow_up --> follow_up: 评估
//!     revision --> revision: 评估
//!     research --> research: 督导检查
//!     drafting --> drafting: 督导检查
//!     consultation --> consultation: 督导检查
//!     approval --> approval: 督导检查
//!     published --> published: 督导检查
//!     follow_up --> follow_up: 督导检查
//!     revision --> revision: 督导检查
//!     consolidated --> consolidated: 督导检查
//!     research --> withdrawn: 废止
//!     drafting --> withdrawn: 废止
//!     consultation --> withdrawn: 废止
//!     approval --> withdrawn: 废止
//!     published --> withdrawn: 废止
//!     follow_up --> withdrawn: 废止
//!     revision --> withdrawn: 废止
//!     consolidated --> [*]
//!     withdrawn --> [*]
//! ```
//!
//! ## The transition table
//!
//! The table is data, declared once in [`table`]: each row names its stages, action
//! ([`ActionKind`]), roles ([`Role`]) and rules ([`Rule`]) by value. The definition,
//! [`Court::blockers`](service::Court::blockers) (the rules of the way forward that
//! need no payload), the simulation's legal moves and the diagrams are derived from
//! it. Changing a rule is one function in [`rules`] and one cell in [`table`]; for
//! example, to require that a report names its author, change
//! [`rules::report_valid`] (and, if it needs a new input, the `ReportValid` arm of
//! [`Rule::check`]); to require it also before acceptance, add `R::ReportValid` to the
//! `accept` row, which does not compile, because `ReportValid` examines the payload of
//! `report_implementation` only ([`Rule::examines`]).
//!
//! Every row also carries the guard `actor_fits_role` (see [Roles](#roles-and-permissions)).
//!
//! | from | action | to | roles | guards | why |
//! |---|---|---|---|---|---|
//! | `research` | `assign_department` | (same) | office | `department_unassigned`, `department_known` | The office plans the work (五.一); it fills the gaps of the plan, such as the 13 standards with no department, and only those (v2; moving a standard is `reassign_department`). Only in research: that is where the gap blocks. |
//! | `research`, `drafting`, `consultation`, `approval`, `published`, `follow_up`, `revision` | `reassign_department` | (same) | office | `department_known`, `department_changes`, `reasons_given` | Moving a standard to another department is a decision of its own, with a reason, in any open stage; the standard's history keeps who moved it, when, from and to (v2). |
//! | `research` | `start_drafting` | `drafting` | department | `department_assigned` | Each department drafts its own standards (五.一); with no department, nobody can, so the standard stays in research. |
//! | `drafting` | `open_consultation` | `consultation` | department | `draft_complete`, `draft_sources` | 三.原则(一): procedural AND quality requirements AND an objective, measurable criterion. The draft travels in the payload, so the log keeps every draft. |
//! | `revision` | `open_consultation` | `consultation` | department | `draft_complete`, `draft_sources` | A revision goes through consultation again (三.第二步), under the same rule. |
//! | `consultation` | `record_opinion` | (same) | department | `opinion_valid` | Opinions are data of the consultation, numbered so responses can cite them. |
//! | `consultation` | `respond_to_opinion` | (same) | department | `response_valid` | Adopted, or not adopted with a reason; an opinion is answered once. |
//! | `consultation` | `close_consultation` | `approval` | department | `opinions_from_both_groups`, `opinions_answered`, `consultation_period` | 五.三: front-line judges AND administrative staff; every opinion answered; a minimum period (30 days by default, configurable). Closing is submitting for deliberation. |
//! | `consultation` | `send_back` | `drafting` | leading group | `reasons_given`, `no_open_revision` | The leading group may stop a draft before deliberation; a first draft goes back to drafting. |
//! | `consultation` | `send_back_revision` | `revision` | leading group | `reasons_given`, `revision_open` | A revised draft goes back to revision, so reports keep showing the standard as under revision (and its version in force). Two actions, because the engine's table maps (state, action) to one target. |
//! | `approval` | `approve` | (same) | leading group | `meeting_record` | 审议通过 is a decision of the leading body: a meeting record with date, members present (at least half) and decision. Recording it does not publish: the office does that with a document number. |
//! | `approval` | `send_back` | `drafting` | leading group | `reasons_given`, `no_open_revision` | Deliberation ends approved or sent back, with reasons. |
//! | `approval` | `send_back_revision` | `revision` | leading group | `reasons_given`, `revision_open` | As above, for a revision. |
//! | `approval` | `publish` | `published` | office | `approved`, `document_number`, `publication_date` | Publication needs the approval of the current draft, a number 红林法〔YYYY〕N号 whose year is the publication's, and a date not before the approval. Catalog-wide uniqueness is checked outside ([`check_document_number`]) and made atomic by a store claim ([`claims_of`], [`DOCUMENT_NUMBER_CLAIM`]; see `service::Court::apply`). Each publication is a new numbered version. |
//! | `published` | `begin_follow_up` | `follow_up` | department, office | — | 跟踪实施 begins; either side may record it. |
//! | `follow_up` | `report_implementation` | (same) | department | `report_valid` | Departments report on implementation (五.一). |
//! | `follow_up` | `open_revision` | `revision` | department, office | `revision_cause` | 三.第二步: weak results, a gap, or an inspection finding (cited by number, and it must exist). The version in force stays in force. |
//! | `revision` | `cancel_revision` | `follow_up` | leading group | `reasons_given` | A revision found unnecessary ends without a new version. |
//! | `follow_up` | `accept` | `consolidated` | intermediate court | `passing_evaluation`, `not_flagged_as_copy`, `acceptance_record` | 评估验收 by the intermediate court (五.五): a passing evaluation of the version in force against its own criteria (v2; v1 took any evaluation), no inspection finding that it copies statutes (v2), and an acceptance record. Only from follow-up: a standard under revision is not final. |
//! | `published`, `follow_up`, `revision` | `record_evaluation` | (same) | office, intermediate court | `evaluation_complete` | Evaluations change no state; they score the version in force against every one of its criteria. |
//! | `research`, `drafting`, `consultation`, `approval`, `published`, `follow_up`, `revision`, `consolidated` | `record_inspection` | (same) | office | `inspection_valid` | 督导检查 happens at any time (五.五) and changes no state; findings are numbered so a revision can cite them. A consolidated standard is still in force and may be inspected. |
//! | `research`, `drafting`, `consultation`, `approval`, `published`, `follow_up`, `revision` | `withdraw` | `withdrawn` | leading group | `reasons_given` | The leading group may withdraw from any non-terminal state, with a reason. |
//!
//! `consolidated` and `withdrawn` are terminal. Instances are created only by the office
//! ([`create_standard`] checks the actor's unit; the engine's `creators` restricts the
//! role).
//!
//! # Roles and permissions
//!
//! | role | zh | who may act in it | does |
//! |---|---|---|---|
//! | `department` | 责任部门 | an actor whose `unit` resolves to the standard's department | research, drafting, consultation, implementation reports |
//! | `office` | 综合办公室 | an actor whose `unit` resolves to the court's office (`court.office`) | opening work, assigning departments, publication, inspections, evaluations, follow-up |
//! | `leading_group` | 领导小组 | an actor whose `id` is a named member of the leading group | approval, send-backs, cancelling revisions, withdrawal |
//! | `intermediate_court` | 中级法院 | an actor whose `unit` is the intermediate court or one of its aliases | evaluation, acceptance |
//!
//! The table says which roles may fire a transition; the guard `actor_fits_role` says
//! whether the actor holds the role claimed. Units resolve through the
//! [`DepartmentRegistry`]: 办公室 is 综合办公室, 法警队 is 司法警察大队, and 政治部督察室
//! (a declared unit of 政治部) resolves to 政治部 — the responsible department of the
//! four 督察工作 standards is 政治部, the unit is kept for display, and staff of either
//! may act for them.
//!
//! # Faithful to the plan: definition version 2
//!
//! Version 1 of `court-standard` departed from the plan, or decided where the plan is
//! silent without saying so, in the places below. Version 2 ([`table::V2`]) fixes
//! them; stores written under version 1 keep verifying under it (each record replays
//! under the version that wrote it) and move their open standards to version 2 with
//! one recorded migration each. Where the plan is silent, the rule is this project's
//! default and the configuration says so.
//!
//! | the plan says | the rule (version 2) | plan or default |
//! |---|---|---|
//! | 三.第三步 运转良好，固化标准: a standard is consolidated once it works | `accept` needs a *passing* evaluation of the version in force (`passing_evaluation`): by default every criterion met its target; version 1 took any evaluation | default, `[court] passing_evaluation = "all_criteria_met"` or `"more_than_half_met"` |
//! | 三.原则(三) 不能简单照抄法条…从“加强管理年”活动以来出台的制度中总结提炼 | a draft states its sources (rules distilled, laws implemented, practice) and that it is not a copy of statutes (`draft_sources`); an inspection may flag a text as copying statutes (`InspectionFlag::CopiesStatute`), and a flagged version is not accepted (`not_flagged_as_copy`) | plan; the flag's effect is this project's default |
//! | 五.一 各部门…负责; the source leaves 13 standards without a department | the office assigns a department only where the plan left none (`department_unassigned`); moving a standard is `reassign_department`, with a reason, recorded (who, when, from, to) | plan (assignment fills the gap); who reassigns is the default (the office) |
//! | 审议: the leading group decides | the approval quorum is configuration; the guard's description names it: 不少于半数 (at least half, the default) or 过半数 (more than half) | default, `[court] approval_quorum` |
//! | the plan itself was issued as one act, 红林法〔2022〕7号 | several standards may be published together under one document number, as one act (the number with its date, each publication recorded as an event of that day, entered after the fact with `--at` if need be); another act, or a second version of the same standard, may not reuse it (`document_number_unique`, claimed once in the store, judged by `verify` in the log's append order) | default |
//!
//! # Versions, inspections and evaluations
//!
//! Each publication appends a [`data::Version`] (number from 1, document number, date,
//! the draft and approval it came from, the revision that produced it). The version in
//! force ([`StandardData::in_force`]) is the latest, until withdrawal; during a revision
//! the previous version stays in force. Inspections and evaluations are self-loops:
//! recorded in the data and the log, the stage unchanged.
//!
//! # The catalog
//!
//! Codes are stable and readable: `ADJ` / `ADM` / `PER` for the domains (审判 / 政务 /
//! 队伍), `ADJ-01` … for the categories in the plan's order, and `ADJ-01-08` for item 8
//! of category 1 — the plan's own numbering, two digits. A court that reorders its plan
//! keeps its codes: they are written in the file, not computed.
//!
//! Thirteen adjudication standards (审判业务标准 items 1–7, 10–13, 15, 19) have no
//! department in the source text. They load as unassigned, never guessed, and every
//! report shows them under “未分配责任部门 / unassigned”. Which standards are core is
//! not stated either: `core` defaults to false; the flags a catalog file sets are
//! recorded as the first designation when the catalog is first imported, and later
//! designations are the leading group's recorded decisions (see the court-level
//! decisions below).
//!
//! ## Catalog file format
//!
//! A catalog is one TOML file (`data/catalog.toml` is the built-in one):
//!
//! ```toml
//! format = 1                          # required; this version reads format 1
//!
//! [court]
//! zh = "红石林区基层法院"
//! en = "Hongshi Forest District Basic Court"
//! document_prefix = "红林法"           # document numbers are 红林法〔YYYY〕N号
//! timezone = "+08:00"                 # optional, default +08:00
//! min_consultation_days = 30          # optional, default 30
//! approval_quorum = "at_least_half"   # optional: "at_least_half" (default) or "more_than_half" (过半数)
//! office = "general_office"           # the department that coordinates (an id below)
//!
//! [plan]
//! zh = "…实施方案"
//! en = "…implementation plan"
//! document_number = "红林法〔2022〕7号"   # optional; no standard may reuse it
//! issued = 2022-05-16                 # optional
//!
//! [intermediate_court]
//! zh = "长春林区中级法院"
//! en = "Changchun Forest District Intermediate Court"
//! aliases = ["长春林区中级法院办公室"]
//!
//! [[leading_group]]                   # one per named member; at least one
//! id = "chen.wei"                     # the actor id they act under
//! name = "陈伟"
//! zh = "组长"
//! en = "Head"
//!
//! [[departments]]
//! id = "general_office"
//! zh = "综合办公室"
//! en = "General Office"
//! aliases = ["办公室"]                 # optional
//! units = [{ id = "…", zh = "…", en = "…", aliases = ["…"] }]   # optional sub-units
//!
//! [[steps]]
//! id = "build-all"
//! zh = "…"
//! en = "…"
//! due = 2023-12-31                    # a local date, in the court's time zone
//! milestone = "published"             # published | refined | consolidated
//! scope = "all"                       # all | core
//!
//! [[domains]]
//! code = "ADJ"                        # upper-case letters and digits
//! zh = "审判工作标准化"
//! en = "Adjudication work"
//!
//! [[categories]]
//! code = "ADJ-01"                     # the domain's code, a dash, a number
//! domain = "ADJ"
//! zh = "审判业务标准"
//! en = "Adjudication practice"
//!
//! [[standards]]
//! code = "ADJ-01-08"                  # the category's code, a dash, the item
//! category = "ADJ-01"
//! item = 8                            # unique within the category
//! zh = "减假暂案件审判标准"
//! en = "Trying commutation, parole and temporary out-of-prison execution cases"
//! department = "立案庭"                # a department's id, zh or en name, alias, or unit
//! # unassigned = "why"                # instead of `department`, never both
//! # core = true                       # optional, default false
//! ```
//!
//! Loading ([`Catalog::from_path`], [`Catalog::from_toml_str`]) refuses unknown keys,
//! duplicate codes (standards, categories, domains, steps, members), duplicate items,
//! unknown departments, domains and categories, codes that break the scheme, a standard
//! with neither or both of `department` and `unassigned`, names shared by two
//! departments, bad dates or time zones, and ids, aliases, member names, codes, labels
//! and document numbers that hold a control, bidi, invisible or separator character
//! (or are blank, for ids and names; see [`regula_core::plain_text`]). Each
//! [`CatalogError`] gives the file, the line and column, and the offending value:
//!
//! ```text
//! catalog.toml:812:14: unknown department "后勤处": not a department, alias or unit declared in [[departments]]
//! ```
//!
//! # The plan
//!
//! [`plan`] holds the steps (核心工作标准 published by 2022-12-31 — for the standards the
//! leading group designates core —, every standard published by 2023-12-31, refined by
//! 2024-12-31, consolidated by 2025-12-31), the deadlines recorded in the court's log
//! ([`WorkPlan`], built by [`service::Court::work_plan`]: the departments' targets, the
//! leading group's extensions and core designations; a work plan file, format in
//! [`WorkPlan`], example `data/work-plan.example.toml`, is only the input of recording
//! one), and pure queries over the
//! [`Ledger`] as of an instant: [`plan::progress`] by domain, category, department or
//! stage, [`plan::lateness`] per step, [`plan::department_load`], and
//! [`plan::statuses`] per standard. All reports serialize with serde and carry zh and en
//! labels. A report as of a past instant takes [`service::Court::ledger_as_of`]: every
//! standard as its log stood then, department, versions and document numbers included
//! ([`as_of`]). [`assessment`] is the yearly assessment (考核) of each department:
//! on-time rate per step, refusals by rule, inspections and findings, failed
//! evaluations, revisions opened.
//!
//! What a front end shows is made here, once, so the command line and a service agree:
//! [`listing`] (the list of standards and its filters, [`service::Court::list`]),
//! [`view`] (one standard with what blocks its next step, [`service::Court::view`]) and
//! [`report`] (the report's sections as of a date, [`service::Court::report`], as
//! tables, Markdown, CSV or JSON).
//!
//! ## Court-level decisions
//!
//! Which standards are core, each department's annual work plan, extensions and the
//! leading group's progress hearings are records of the store's rules log ([`affairs`],
//! [`rules_log`]); reports take them from there, as of their dates, never from a file.
//!
//! | the plan's words | the rule | where the plan is silent (this project's default) |
//! |---|---|---|
//! | 第一年"完成核心工作标准的确定" | core is a recorded decision (`designate_core`: a leading group member, date, codes, optionally the meeting); a standard is core from that decision; lateness against the core step counts from it | who decides (the leading group); the catalog's `core` flags are the first designation, recorded at the first import, and ignored after; a standard designated after a core step's deadline is not late against that step |
//! | 各部门工作方案 (五.一) | a department's annual plan (`record_work_plan`) may bring a standard's deadline forward, never past the plan's step date (refused, with the reason) | recorded by the department for the standards the plan gives it, or by the office for any |
//! | the plan's step dates | moving a deadline past them is an extension (`extend_deadline`) by a leading group member, with a reason, shown by the reports as 延期 with the decision | that only the leading group extends; the latest decision (target or extension) sets the date |
//! | 领导小组定期听取 (五.一) | a hearing (`record_hearing`): date, members present (the recorder among them), what was heard, decisions | how often (not checked) |
//!
//! # Time
//!
//! Records carry UTC instants. Dates the users see, and the plan's due dates, are
//! calendar dates in the court's time zone (UTC+8 by default, set per catalog): "due
//! 2023-12-31" ends at 2023-12-31T16:00:00Z. The consultation period counts calendar
//! days in that zone: opened on 2023-03-01, it may close from 2023-03-31.

pub mod access;
mod actions;
pub mod affairs;
pub mod as_of;
pub mod assessment;
pub mod catalog;
pub mod court;
pub mod data;
pub mod department;
pub mod lifecycle;
pub mod listing;
pub mod plan;
pub mod report;
pub mod request;
pub mod rules;
pub mod rules_log;
pub mod schema;
pub mod service;
pub mod table;
pub mod view;

pub use catalog::{
    BUILTIN_CATALOG, CHINA_STANDARD_TIME, Catalog, CatalogError, CatalogErrorKind, Category, Domain, Entry, PassMark,
    Quorum,
};
pub use court::{
    CourtConfig, CreateError, DOCUMENT_NUMBER_CLAIM, check_document_number, claims_of, create_standard,
    external_checks, standard_definition, standard_definition_version,
};
pub use data::StandardData;
pub use department::{Department, DepartmentRef, DepartmentRegistry, UNASSIGNED};
pub use lifecycle::{ActionKind, Role, Stage, StandardAction, StandardLifecycle, roles};
pub use plan::{GroupBy, Ledger, Milestone, Scope, Standing, Step, WorkPlan};
pub use table::{Row, Rule};
