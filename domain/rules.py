"""The rules of RULES.md as data: id, kind, title, citation and severity, plus the law constants.

Errors and findings name rules by these ids. Each rule's body is one pure function in
``domain/rulebook/`` (found with ``grep '"C8"' domain/rulebook``), used by the gate before
anything is recorded and by the audit over recorded or imported histories. The constants
(amount thresholds, periods) live here once, each with its citation, and a province overrides
them with a JSON file named by ``OVERSIGHT_LAW_FILE`` (keys are the field names of
:class:`Law`; a period takes ``{"count": n, "unit": "working_days"}`` or just its count).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Kind = Literal["gate", "audit"]
Severity = Literal["critical", "major", "minor", "info"]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: Kind
    title: str
    citation: str
    severity: Severity


_ALL = [
    Rule("A1", "gate", "至少两名具有执法资格的执法人员", "行政处罚法 第四十二条", "critical"),
    Rule("A2", "gate", "执法人员持有效执法证件且范围覆盖本案", "行政处罚法 第四十二条、第七十六条第五项", "critical"),
    Rule("A3", "audit", "调查检查出示证件并制作笔录", "行政处罚法 第五十二条、第五十五条", "major"),
    Rule(
        "A4",
        "gate",
        "执法证件仅发给通过执法资格考试的在编人员",
        "河南省行政执法条例 第二十条至第二十一条；山东省行政执法监督条例 第十条",
        "major",
    ),
    Rule("A5", "gate", "执法辅助人员不得独立执法", "福建省行政执法条例（2019）", "critical"),
    Rule("A6", "audit", "执法证件年审与到期提醒", "省级行政执法证件管理规定", "minor"),
    Rule(
        "A7",
        "gate",
        "证件暂扣或取消执法资格后不得执法",
        "河南省行政执法条例 第四十二条第六项、第四十五条、第四十六条第二项",
        "critical",
    ),
    Rule("A8", "audit", "年度培训学时", "国办发〔2023〕27号", "minor"),
    Rule("A9", "gate", "初次从事法制审核的人员取得法律职业资格", "行政处罚法 第五十八条第二款", "major"),
    Rule(
        "A10",
        "gate",
        "审核、听证与调查职能分离；回避决定作出前不停止调查，决定回避后不得参与",
        "行政处罚法 第四十三条、第六十四条第四项",
        "major",
    ),
    Rule(
        "B1",
        "audit",
        "执法全过程各环节均有记录并在归档期限内归档",
        "行政处罚法 第四十七条；国办发〔2018〕118号",
        "major",
    ),
    Rule("B2", "audit", "现场强制措施全程音像记录", "国办发〔2018〕118号", "major"),
    Rule("B3", "audit", "现场笔录由当事人和执法人员签名", "行政强制法 第十八条", "minor"),
    Rule(
        "B4",
        "gate",
        "证据为法定种类、附内容哈希，非法或未查证属实的证据不得作为定案依据",
        "行政处罚法 第四十六条",
        "critical",
    ),
    Rule("B5", "audit", "及时记录", "国办发〔2018〕118号", "minor"),
    Rule("B6", "audit", "先行登记保存经负责人批准并在七个工作日内处理", "行政处罚法 第五十六条", "major"),
    Rule("C1", "audit", "违法行为二年（五年）未被发现的不再给予行政处罚", "行政处罚法 第三十六条", "critical"),
    Rule("C2", "audit", "及时立案", "行政处罚法 第五十四条", "minor"),
    Rule(
        "C3",
        "gate",
        "作出处罚决定前告知拟处罚内容、事实、理由、依据及陈述申辩听证权利",
        "行政处罚法 第四十四条、第六十二条",
        "critical",
    ),
    Rule("C4", "gate", "听取陈述申辩并复核，不得因申辩加重处罚", "行政处罚法 第四十五条", "major"),
    Rule("C5", "gate", "听证权利、申请期限与通知期限", "行政处罚法 第六十三条、第六十四条", "critical"),
    Rule("C6", "audit", "听证后依据听证笔录作出决定", "行政处罚法 第六十五条", "major"),
    Rule("C7", "gate", "情节复杂或重大违法行为经负责人集体讨论决定", "行政处罚法 第五十七条第二款", "major"),
    Rule("C8", "gate", "重大执法决定未经法制审核或审核未通过的不得作出决定", "行政处罚法 第五十八条", "critical"),
    Rule("C9", "audit", "法制审核内容完整并出具书面意见", "国办发〔2018〕118号", "minor"),
    Rule(
        "C10",
        "gate",
        "行政处罚决定书载明法定事项",
        "行政处罚法 第五十九条；罚款决定与罚款收缴分离实施办法 第七条",
        "major",
    ),
    Rule("C11", "gate", "适用裁量基准，罚款在法定幅度内，超出基准档次须说明理由", "行政处罚法 第三十四条", "major"),
    Rule("C12", "audit", "立案之日起九十日内作出决定", "行政处罚法 第六十条", "major"),
    Rule("C13", "audit", "决定书七日内送达；电子送达须经同意并签订确认书", "行政处罚法 第六十一条", "major"),
    Rule("C14", "gate", "同一违法行为不得给予两次以上罚款", "行政处罚法 第二十九条", "critical"),
    Rule("C16", "gate", "简易程序适用范围与要求", "行政处罚法 第五十一条、第五十二条", "major"),
    Rule("C17", "audit", "不予处罚的应当对当事人进行教育", "行政处罚法 第三十条、第三十三条", "minor"),
    Rule(
        "D1",
        "gate",
        "作出罚款决定的机关与收缴罚款的机构分离",
        "行政处罚法 第六十七条；罚款决定与罚款收缴分离实施办法 第三条",
        "critical",
    ),
    Rule("D2", "audit", "十五日内缴纳罚款", "行政处罚法 第六十七条第三款", "minor"),
    Rule("D3", "gate", "当场收缴罚款的条件", "行政处罚法 第六十八条", "major"),
    Rule("D4", "gate", "边远、水上、交通不便地区当事人提出的当场收缴", "行政处罚法 第六十九条", "major"),
    Rule("D5", "gate", "当场收缴出具财政部门统一制发的专用票据", "行政处罚法 第七十条、第七十七条", "major"),
    Rule("D6", "audit", "当场收缴的罚款二日内交至行政机关、再二日内缴付银行", "行政处罚法 第七十一条", "major"),
    Rule("D7", "gate", "暂缓或分期缴纳须当事人申请并经批准", "行政处罚法 第六十六条", "major"),
    Rule(
        "D8",
        "audit",
        "加处罚款每日百分之三，不超过罚款数额",
        "行政处罚法 第七十二条、第七十三条；罚款决定与罚款收缴分离实施办法 第九条",
        "info",
    ),
    Rule("D9", "audit", "罚款全部上缴国库", "行政处罚法 第七十四条；罚款决定与罚款收缴分离实施办法 第四条", "major"),
    Rule(
        "D10",
        "audit",
        "代收机构出具票据并通知行政机关",
        "罚款决定与罚款收缴分离实施办法 第六条、第八条、第十条",
        "minor",
    ),
    Rule("E1", "audit", "复议诉讼期间不停止执行", "行政处罚法 第七十三条", "major"),
    Rule("E2", "gate", "强制执行前书面催告", "行政强制法 第三十五条至第三十八条", "major"),
    Rule("E3", "audit", "催告书送达十日后申请法院强制执行", "行政强制法 第五十四条、第六十九条", "major"),
    Rule(
        "E4",
        "audit",
        "申请法院强制执行的期限",
        "行政强制法 第五十三条；行政复议法 第二十条、第二十三条；行政诉讼法 第四十五条、第四十六条",
        "major",
    ),
    Rule("E7", "audit", "不得在夜间或法定节假日实施行政强制执行", "行政强制法 第四十三条", "minor"),
    Rule("E8", "audit", "查封扣押期限不超过三十日", "行政强制法 第二十五条", "major"),
    Rule(
        "F1",
        "audit",
        "涉嫌犯罪案件应当移送，不得以罚代刑",
        "行政处罚法 第二十七条、第八十二条；行政执法机关移送涉嫌犯罪案件的规定 第三条、第十一条",
        "critical",
    ),
    Rule("F2", "audit", "移送审批与移送时限", "行政执法机关移送涉嫌犯罪案件的规定 第五条", "major"),
    Rule("F3", "gate", "移送材料齐全", "行政执法机关移送涉嫌犯罪案件的规定 第六条", "major"),
    Rule("G2", "gate", "裁量基准应当向社会公布", "行政处罚法 第三十四条", "major"),
    Rule(
        "G3",
        "audit",
        "处罚决定在规定期限和范围内公示",
        "国办发〔2018〕118号；市场监督管理行政处罚信息公示规定 第二条、第八条至第十条、第十三条；行政处罚法 第四十八条",
        "minor",
    ),
    Rule("G4", "audit", "变更、撤销、确认违法或无效的决定三个工作日内撤回公示", "行政处罚法 第四十八条第二款", "major"),
    Rule("G5", "gate", "公示隐去个人信息", "行政处罚法 第五十条；政府信息公开条例 第十四条、第十五条", "major"),
    Rule("H1", "audit", "领导干部干预执法活动记录", "法治政府建设实施纲要", "major"),
    Rule("I1", "audit", "双随机、一公开", "国办发〔2015〕58号", "major"),
    Rule("J1", "audit", "告知复议、诉讼的途径和期限", "行政复议法 第二十条；行政诉讼法 第四十六条", "minor"),
    Rule("J2", "gate", "当场处罚决定告知先申请行政复议", "行政复议法 第二十三条", "minor"),
]

RULES: dict[str, Rule] = {r.id: r for r in _ALL}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


# ------------------------------------------------------------------ periods
Unit = Literal["working_days", "days", "months", "years", "hours"]


@dataclass(frozen=True)
class Period:
    """A period of the law: its count, its unit and the article that sets it (RULES.md
    "Counting days"). ``domain.calendar.deadline`` turns a start and a period into a last day."""

    count: int
    unit: Unit
    law: str

    def __str__(self) -> str:
        names = {"working_days": "working days", "days": "days", "months": "months", "years": "years", "hours": "hours"}
        return f"{self.count} {names[self.unit]}"


def _p(count: int, unit: Unit, law: str) -> Any:
    return field(default=Period(count, unit, law))


@dataclass(frozen=True)
class DisclosureScope:
    """G3: which penalty decisions a sector discloses, and within what period."""

    prefix: str  # matter-code prefix ("" for every matter)
    period: Period
    ordinary_procedure_only: bool = False
    warning_only_disclosed: bool = True
    tell_party_at_service: bool = False
    # how long a disclosure stays public: short for 通报批评 or a lower fine, long otherwise
    publication_short: Period | None = None
    publication_long: Period | None = None
    lower_fine_fen: int = 0


@dataclass(frozen=True)
class Law:
    """Law constants. Money in fen (分). Each carries its citation."""

    # 处罚法 42 (不得少于两人), 强制法 18(2), 国办发〔2015〕58号: officers acting together, at least.
    officers_per_act: int = 2
    # C7 / 处罚法 57 ¶2: a collective discussion (集体讨论) is held by the unit's heads, at least.
    heads_per_discussion: int = 2
    # 处罚法 51: simplified procedure — warning, or a fine up to 200 yuan (person) / 3000 (org).
    simplified_max_fen_person: int = 200_00
    simplified_max_fen_organisation: int = 3000_00
    # 处罚法 63(1): 较大数额罚款 — set by each province [LOC]; common defaults below.
    hearing_fine_fen_person: int = 10_000_00
    hearing_fine_fen_organisation: int = 100_000_00
    # 处罚法 63(2): 没收较大数额违法所得、较大价值非法财物 — per party kind, like fines [LOC].
    hearing_confiscation_fen_person: int = 10_000_00
    hearing_confiscation_fen_organisation: int = 100_000_00
    # 处罚法 63(3)(4)(5): penalties that give a hearing right whatever the amount.
    hearing_penalty_types: tuple[str, ...] = (
        "revoke_licence",
        "suspend_licence",
        "stop_business",
        "order_closure",
        "limit_practice",
        "downgrade_qualification",
    )
    # 处罚法 64(1): a hearing is requested within 5 (working, Art 85) days of the notice.
    hearing_request: Period = _p(5, "working_days", "行政处罚法 第六十四条第一项、第八十五条")
    # 处罚法 64(2): the hearing is noticed 7 (working) days before it is held.
    hearing_notice: Period = _p(7, "working_days", "行政处罚法 第六十四条第二项、第八十五条")
    # C3 / 处罚法 44, 62: where no hearing right arises, the decision waits this long for the
    # party's statement unless the party waived it or made it [M: 市场监督管理行政处罚程序规定].
    statement_period: Period = _p(5, "working_days", "行政处罚法 第四十四条、第六十二条；市场监督管理行政处罚程序规定")
    # 处罚法 58 ¶2: reviewers first reviewing on or after this date need 法律职业资格.
    legal_review_qualification_from: date = date(2021, 7, 15)
    # 处罚法 68: on-the-spot collection for fines up to 100 yuan.
    on_the_spot_max_fen: int = 100_00
    # 处罚法 67 ¶3: 15 (calendar) days to pay from receiving the decision.
    payment: Period = _p(15, "days", "行政处罚法 第六十七条第三款")
    # 处罚法 72(1): late surcharge 3% per day of the fine unpaid, capped at the fine.
    surcharge_permille_per_day: int = 30
    # C1 / 处罚法 36: no penalty once a violation was undiscovered for 2 years, 5 where life,
    # health or financial safety was harmed; counted from the end of a continuing violation.
    time_bar: Period = _p(2, "years", "行政处罚法 第三十六条第一款")
    time_bar_harm: Period = _p(5, "years", "行政处罚法 第三十六条第一款")
    # 处罚法 36 "法律另有规定的除外": years per matter-code prefix where a law sets another bar
    # (e.g. 税收征收管理法 86: 5 years for tax matters) [LOC].
    time_bar_overrides: dict[str, int] = field(default_factory=dict)
    # C2 / 处罚法 54 "及时立案": filed within 15 working days of discovery, 15 more with approval [M].
    filing: Period = _p(15, "working_days", "行政处罚法 第五十四条；部门规章")
    filing_extension: Period = _p(15, "working_days", "行政处罚法 第五十四条；部门规章")
    # C12 / 处罚法 60: decided within 90 (calendar) days of filing; department rules allow 30 more
    # with the head's approval, further only by collective discussion [M]; suspension (中止),
    # hearing, announcement and testing time are not counted.
    decision: Period = _p(90, "days", "行政处罚法 第六十条")
    decision_extension: Period = _p(30, "days", "行政处罚法 第六十条；市场监督管理行政处罚程序规定 第六十四条")
    # C13 / 处罚法 61, 85: a decision not handed over is served within 7 working days.
    service: Period = _p(7, "working_days", "行政处罚法 第六十一条、第八十五条")
    # C13 / 民事诉讼法 95: announcement (公告送达) is effective 30 days after publication.
    announcement_effect: Period = _p(30, "days", "民事诉讼法 第九十五条")
    # B1 [M]: a closed case is archived within this period.
    archiving: Period = _p(30, "days", "行政处罚法 第四十七条；国办发〔2018〕118号")
    # B5 [M]: each act is recorded within this bound.
    recording: Period = _p(3, "working_days", "国办发〔2018〕118号")
    # B6 / 处罚法 56: preserved evidence is disposed of within 7 (working) days.
    preservation_disposal: Period = _p(7, "working_days", "行政处罚法 第五十六条、第八十五条")
    # D6 / 处罚法 71: cash to the unit within 2 (working) days, and to the bank within 2 more.
    cash_to_unit: Period = _p(2, "working_days", "行政处罚法 第七十一条、第八十五条")
    cash_to_bank: Period = _p(2, "working_days", "行政处罚法 第七十一条、第八十五条")
    # D9 / 处罚法 67 ¶3, 235号 11: the bank pays straight into the treasury [LOC]: next working day.
    treasury_remittance: Period = _p(
        1, "working_days", "行政处罚法 第六十七条第三款；罚款决定与罚款收缴分离实施办法 第十一条"
    )
    # E3 / 强制法 54, 69: a court application after 10 working days have elapsed since the demand.
    demand_wait: Period = _p(10, "working_days", "行政强制法 第五十四条、第六十九条")
    # E4: the party's time for remedies, then 3 months to apply to a court (强制法 53).
    suing_period: Period = _p(6, "months", "行政诉讼法 第四十六条")
    reconsideration_period: Period = _p(60, "days", "行政复议法 第二十条、第二十三条")
    suit_after_reconsideration: Period = _p(15, "days", "行政诉讼法 第四十五条")
    court_application: Period = _p(3, "months", "行政强制法 第五十三条")
    # E7 / 强制法 43: no enforcement at night or on statutory holidays. Night: 22:00–06:00 China
    # time (the usual reading, as in 环境噪声污染防治法). Whether ordinary weekends count as
    # 法定节假日 is read narrowly by default (a false finding costs more than a missing one).
    night_from_hour: int = 22
    night_until_hour: int = 6
    enforcement_rest_days_count: bool = False
    # E8 / 强制法 25: sealing or seizure at most 30 days, 30 more with the head's approval.
    sealing: Period = _p(30, "days", "行政强制法 第二十五条第一款")
    sealing_extension: Period = _p(30, "days", "行政强制法 第二十五条第一款")
    # F2 / 310号 5: the head decides within 3 days (counted in days, not hours); an approved
    # transfer reaches the police within 24 hours.
    transfer_decision: Period = _p(3, "days", "行政执法机关移送涉嫌犯罪案件的规定 第五条第二款")
    transfer_sending: Period = _p(24, "hours", "行政执法机关移送涉嫌犯罪案件的规定 第五条第二款")
    # G3: the disclosure period and scope per sector (matter-code prefix; the longest prefix that
    # matches wins). Default 7 working days (118号); market regulation 20 working days, ordinary
    # procedure only, never a warning-only decision, the party told in writing at service
    # (总局令45号 2, 8, 9); published for 3 months (通报批评, lower fines) or 3 years (13).
    disclosure_scopes: tuple[DisclosureScope, ...] = (
        DisclosureScope("", Period(7, "working_days", "国办发〔2018〕118号")),
        DisclosureScope(
            "MR",
            Period(20, "working_days", "市场监督管理行政处罚信息公示规定 第九条"),
            ordinary_procedure_only=True,
            warning_only_disclosed=False,
            tell_party_at_service=True,
            publication_short=Period(3, "months", "市场监督管理行政处罚信息公示规定 第十三条"),
            publication_long=Period(3, "years", "市场监督管理行政处罚信息公示规定 第十三条"),
            # 较低数额罚款 is set by the provincial market regulator [LOC]: none by default
            lower_fine_fen=0,
        ),
    )
    # G4 / 处罚法 48 ¶2, 85: withdraw a disclosure within 3 working days of a change.
    withdrawal: Period = _p(3, "working_days", "行政处罚法 第四十八条第二款、第八十五条")
    # I1 / 国办发〔2015〕58号, 国发〔2019〕5号: results made public within 20 working days [LOC].
    inspection_publication: Period = _p(20, "working_days", "国办发〔2015〕58号；国发〔2019〕5号")
    # Provincial rules [LOC]: annual validation; a certificate is "unvalidated" once the last
    # passed validation (or issue) is older than 12 months plus a grace.
    validation: Period = _p(12, "months", "省级行政执法证件管理规定")
    validation_grace_days: int = 90
    # A6 [LOC]: an expiring certificate or a validation falling due is reported this many days
    # before it would block work.
    certificate_warning_days: int = 30
    # A8 / 国办发〔2023〕27号: yearly training hours (学时) of each certified officer.
    training_hours_per_year: int = 60
    # F3 / 310号 6: the transfer package: always the letter and the investigation report; the
    # seized-items list where items were seized, sealed or preserved; the test or expert reports
    # where there were any (有关检验报告或者鉴定结论).
    transfer_documents: tuple[str, ...] = ("transfer_letter", "investigation_report")
    transfer_items_document: str = "seized_items_list"
    transfer_expert_document: str = "expert_reports"
    # C11 / 处罚法 34 ("可以依法制定"): whether a fine needs a published benchmark for its
    # matter [LOC]; where one is in force it is always applied.
    benchmark_required: bool = True
    # B4 / 处罚法 46: the statutory kinds of evidence (kept as data; only a law adds to them).
    evidence_kinds: tuple[str, ...] = (
        "documentary",
        "physical",
        "audiovisual",
        "electronic",
        "witness",
        "party_statement",
        "expert_opinion",
        "inspection_record",
    )
    # F1 / 310号 3: prosecution thresholds (amount involved, fen) per matter code, set by each
    # province from the criminal law and the prosecution standards [LOC]. Default: 刑法 140
    # (生产、销售伪劣产品罪: sales of 50,000 yuan or more) for the product-quality matter.
    prosecution_thresholds_fen: dict[str, int] = field(default_factory=lambda: {"MR-0101": 50_000_00})
    extra: dict[str, Any] = field(default_factory=dict)

    def disclosure_scope(self, matter_code: str) -> DisclosureScope:
        """G3: the scope whose prefix is the longest one matching ``matter_code``."""
        matching = [s for s in self.disclosure_scopes if matter_code.startswith(s.prefix)]
        return (
            max(matching, key=lambda s: len(s.prefix))
            if matching
            else DisclosureScope("", Period(7, "working_days", "国办发〔2018〕118号"))
        )

    def time_bar_years(self, matter_code: str, harm: bool) -> int:
        """C1: years after which a violation undiscovered is no longer penalised."""
        matching = [p for p in self.time_bar_overrides if matter_code.startswith(p)]
        if matching:
            return self.time_bar_overrides[max(matching, key=len)]
        return (self.time_bar_harm if harm else self.time_bar).count


def _period(key: str, value: Any, default: Period) -> Period:
    if isinstance(value, int) and not isinstance(value, bool):
        return Period(value, default.unit, default.law)
    if isinstance(value, dict) and set(value) <= {"count", "unit", "law"}:
        return Period(
            int(value.get("count", default.count)), value.get("unit", default.unit), value.get("law", default.law)
        )
    raise ValueError(f"OVERSIGHT_LAW_FILE: {key} is a period: a count or {{count, unit}}")


def load_law(path: str | None = None) -> Law:
    """The law constants, with a province's overrides from ``OVERSIGHT_LAW_FILE`` if set."""
    path = path or os.environ.get("OVERSIGHT_LAW_FILE")
    if not path:
        return Law()
    with open(path, encoding="utf-8") as f:
        overrides: dict[str, Any] = json.load(f)
    defaults = Law()
    known = {f.name for f in dataclasses.fields(Law)}
    kwargs: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in known:
            raise ValueError(f"OVERSIGHT_LAW_FILE: unknown key {key!r}")
        default = getattr(defaults, key)
        if isinstance(default, Period):
            value = _period(key, value, default)
        elif key == "legal_review_qualification_from":
            value = date.fromisoformat(value)
        elif key == "disclosure_scopes":
            value = tuple(
                DisclosureScope(
                    s["prefix"],
                    _period("disclosure_scopes.period", s["period"], defaults.disclosure_scopes[0].period),
                    bool(s.get("ordinary_procedure_only", False)),
                    bool(s.get("warning_only_disclosed", True)),
                    bool(s.get("tell_party_at_service", False)),
                    _period("publication_short", s["publication_short"], Period(3, "months", ""))
                    if s.get("publication_short")
                    else None,
                    _period("publication_long", s["publication_long"], Period(3, "years", ""))
                    if s.get("publication_long")
                    else None,
                    int(s.get("lower_fine_fen", 0)),
                )
                for s in value
            )
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return Law(**kwargs)


LAW = load_law()
