"""The rules of RULES.md as data: id, kind, title and citation, plus the law constants.

Errors and findings name rules by these ids. The constants (amount thresholds, day counts)
live here once, with their citation, and a province overrides them with a JSON file named by
``OVERSIGHT_LAW_FILE`` (keys are the field names of :class:`Law`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Kind = Literal["gate", "audit"]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: Kind
    title: str
    citation: str


def _r(id_: str, kind: Kind, title: str, citation: str) -> Rule:
    return Rule(id_, kind, title, citation)


_ALL = [
    _r("A1", "gate", "至少两名具有执法资格的执法人员", "行政处罚法 第四十二条"),
    _r("A2", "gate", "执法人员持有效执法证件且范围覆盖本案", "行政处罚法 第四十二条、第七十六条第五项"),
    _r("A3", "audit", "调查检查出示证件并制作笔录", "行政处罚法 第五十二条、第五十五条"),
    _r(
        "A4",
        "gate",
        "执法证件仅发给通过执法资格考试的在编人员",
        "河南省行政执法条例 第二十条至第二十一条；山东省行政执法监督条例 第十条",
    ),
    _r("A5", "gate", "执法辅助人员不得独立执法", "福建省行政执法条例（2019）"),
    _r("A6", "audit", "执法证件年审与到期提醒", "省级行政执法证件管理规定"),
    _r("A7", "gate", "证件暂扣或取消执法资格后不得执法", "河南省行政执法条例 第四十三条、第四十五条"),
    _r("A8", "audit", "年度培训学时", "国办发〔2023〕27号"),
    _r("A9", "gate", "初次从事法制审核的人员取得法律职业资格", "行政处罚法 第五十八条第二款"),
    _r("A10", "gate", "审核、听证与调查职能分离；回避申请先行决定", "行政处罚法 第四十三条、第六十四条第四项"),
    _r("B1", "audit", "执法全过程各环节均有记录并归档", "行政处罚法 第四十七条；国办发〔2018〕118号"),
    _r("B2", "audit", "现场强制措施全程音像记录", "国办发〔2018〕118号"),
    _r("B3", "audit", "现场笔录由当事人和执法人员签名", "行政强制法 第十八条"),
    _r("B4", "gate", "证据为法定种类、附内容哈希，非法或未查证属实的证据不得作为定案依据", "行政处罚法 第四十六条"),
    _r("B5", "audit", "及时记录", "国办发〔2018〕118号"),
    _r("B6", "audit", "先行登记保存经负责人批准并在七个工作日内处理", "行政处罚法 第五十六条"),
    _r("C1", "audit", "违法行为二年（五年）未被发现的不再给予行政处罚", "行政处罚法 第三十六条"),
    _r("C2", "audit", "及时立案", "行政处罚法 第五十四条"),
    _r("C3", "gate", "作出处罚决定前告知拟处罚内容及陈述、申辩、听证权利", "行政处罚法 第四十四条、第六十二条"),
    _r("C4", "gate", "听取陈述申辩并复核，不得因申辩加重处罚", "行政处罚法 第四十五条"),
    _r("C5", "gate", "听证权利、申请期限与通知期限", "行政处罚法 第六十三条、第六十四条"),
    _r("C6", "audit", "听证后依据听证笔录作出决定", "行政处罚法 第六十五条"),
    _r("C7", "gate", "情节复杂或重大违法行为经负责人集体讨论决定", "行政处罚法 第五十七条第二款"),
    _r("C8", "gate", "重大执法决定未经法制审核或审核未通过的不得作出决定", "行政处罚法 第五十八条"),
    _r("C9", "audit", "法制审核内容完整并出具书面意见", "国办发〔2018〕118号"),
    _r("C10", "gate", "行政处罚决定书载明法定事项", "行政处罚法 第五十九条；罚款决定与罚款收缴分离实施办法 第七条"),
    _r("C11", "gate", "适用裁量基准，罚款在法定幅度内，超出基准档次须说明理由", "行政处罚法 第三十四条"),
    _r("C12", "audit", "立案之日起九十日内作出决定", "行政处罚法 第六十条"),
    _r("C13", "audit", "决定书七日内送达；电子送达须经同意", "行政处罚法 第六十一条"),
    _r("C14", "gate", "同一违法行为不得给予两次以上罚款", "行政处罚法 第二十九条"),
    _r("C16", "gate", "简易程序适用范围与要求", "行政处罚法 第五十一条、第五十二条"),
    _r("C17", "audit", "不予处罚的应当对当事人进行教育", "行政处罚法 第三十条、第三十三条"),
    _r(
        "D1",
        "gate",
        "作出罚款决定的机关与收缴罚款的机构分离",
        "行政处罚法 第六十七条；罚款决定与罚款收缴分离实施办法 第三条",
    ),
    _r("D2", "audit", "十五日内缴纳罚款", "行政处罚法 第六十七条第三款"),
    _r("D3", "gate", "当场收缴罚款的条件", "行政处罚法 第六十八条"),
    _r("D4", "gate", "边远、水上、交通不便地区当事人提出的当场收缴", "行政处罚法 第六十九条"),
    _r("D5", "gate", "当场收缴出具财政部门统一制发的专用票据", "行政处罚法 第七十条、第七十七条"),
    _r("D6", "audit", "当场收缴的罚款二日内交至行政机关、再二日内缴付银行", "行政处罚法 第七十一条"),
    _r("D7", "gate", "暂缓或分期缴纳须当事人申请并经批准", "行政处罚法 第六十六条"),
    _r("D8", "audit", "加处罚款每日百分之三，不超过罚款数额", "行政处罚法 第七十二条、第七十三条"),
    _r("D9", "audit", "罚款全部上缴国库", "行政处罚法 第七十四条；罚款决定与罚款收缴分离实施办法 第四条"),
    _r("D10", "audit", "代收机构出具票据并通知行政机关", "罚款决定与罚款收缴分离实施办法 第六条、第八条、第十条"),
    _r("E1", "audit", "复议诉讼期间不停止执行", "行政处罚法 第七十三条"),
    _r("E2", "gate", "强制执行前书面催告", "行政强制法 第三十五条至第三十八条"),
    _r("E3", "audit", "催告送达满十日后申请法院强制执行", "行政强制法 第五十四条"),
    _r("E4", "audit", "申请法院强制执行的期限", "行政强制法 第五十三条"),
    _r("E7", "audit", "不得在夜间或法定节假日实施行政强制执行", "行政强制法 第四十三条"),
    _r("E8", "audit", "查封扣押期限不超过三十日", "行政强制法 第二十五条"),
    _r(
        "F1",
        "audit",
        "涉嫌犯罪案件应当移送，不得以罚代刑",
        "行政处罚法 第二十七条、第八十二条；行政执法机关移送涉嫌犯罪案件的规定 第三条、第十一条",
    ),
    _r("F2", "audit", "移送审批与移送时限", "行政执法机关移送涉嫌犯罪案件的规定 第五条"),
    _r("F3", "gate", "移送材料齐全", "行政执法机关移送涉嫌犯罪案件的规定 第六条"),
    _r("G2", "gate", "裁量基准应当向社会公布", "行政处罚法 第三十四条"),
    _r("G3", "audit", "处罚决定七个工作日内公示", "国办发〔2018〕118号；行政处罚法 第四十八条"),
    _r("G4", "audit", "变更、撤销、确认无效的决定三个工作日内撤回公示", "行政处罚法 第四十八条第二款"),
    _r("G5", "gate", "公示隐去个人信息", "行政处罚法 第五十条；政府信息公开条例 第十四条、第十五条"),
    _r("H1", "audit", "领导干部干预执法活动记录", "法治政府建设实施纲要"),
    _r("I1", "audit", "双随机、一公开", "国办发〔2015〕58号"),
    _r("J1", "audit", "告知复议、诉讼的途径和期限", "行政复议法 第二十条；行政诉讼法 第四十六条"),
    _r("J2", "gate", "当场处罚决定告知先申请行政复议", "行政复议法 第二十三条"),
]

RULES: dict[str, Rule] = {r.id: r for r in _ALL}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


@dataclass(frozen=True)
class Law:
    """Law constants. Money in fen (分). Each default carries its citation in a comment."""

    # 处罚法 51: simplified procedure — warning, or a fine up to 200 yuan (person) / 3000 (org).
    simplified_max_fen_person: int = 200_00
    simplified_max_fen_organisation: int = 3000_00
    # 处罚法 63: 较大数额罚款 — set by each province [LOC]; common defaults below.
    hearing_fine_fen_person: int = 10_000_00
    hearing_fine_fen_organisation: int = 100_000_00
    # 处罚法 63: large confiscation (较大数额没收) [LOC].
    hearing_confiscation_fen: int = 100_000_00
    # 处罚法 64(1): a hearing is requested within 5 (working) days of the notice.
    hearing_request_working_days: int = 5
    # 处罚法 64(2): the hearing is noticed 7 (working) days before it is held.
    hearing_notice_working_days: int = 7
    # 处罚法 58 ¶2: reviewers first reviewing on or after this date need 法律职业资格.
    legal_review_qualification_from: date = date(2021, 7, 15)
    # 处罚法 68: on-the-spot collection for fines up to 100 yuan.
    on_the_spot_max_fen: int = 100_00
    # 处罚法 67 ¶3: 15 (calendar) days to pay after service.
    payment_days: int = 15
    # 处罚法 72: late surcharge 3% per day, capped at the fine.
    surcharge_permille_per_day: int = 30
    # Provincial rules [LOC]: annual validation; a certificate is "unvalidated" once the
    # last passed validation (or issue) is older than 12 months plus this grace.
    validation_months: int = 12
    validation_grace_days: int = 90
    # A6 [LOC]: an expiring certificate or a validation falling due is reported this many days
    # before it would block work.
    certificate_warning_days: int = 30
    # A8 / 国办发〔2023〕27号: yearly training hours (学时) of each certified officer.
    training_hours_per_year: int = 60
    # 310号 6: the transfer package.
    transfer_documents: tuple[str, ...] = (
        "transfer_letter",
        "investigation_report",
        "seized_items_list",
        "expert_reports",
    )
    # The penalties that give a hearing right besides a large fine (处罚法 63).
    hearing_penalty_types: tuple[str, ...] = (
        "revoke_licence",
        "suspend_licence",
        "stop_business",
        "limit_practice",
        "downgrade_qualification",
    )
    # Seals and provinces may add to the evidence kinds only by law (处罚法 46); kept as data.
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
    # D9 / 处罚法 67 ¶3, 235号 11: the bank pays what it receives straight into the treasury;
    # how soon is set by the treasury rules [LOC]: by default the next working day.
    treasury_remittance_working_days: int = 1
    # E4 / 诉讼法 46: the period for suing is 6 months from knowing of the decision (service).
    suing_period_months: int = 6
    # E4 / 强制法 53: a unit without its own enforcement power applies to a court within
    # 3 months after that period ends.
    court_application_months: int = 3
    # I1 / 国办发〔2015〕58号, 国发〔2019〕5号: random-inspection results are made public within
    # 20 working days of the inspection [LOC may shorten].
    inspection_publication_working_days: int = 20
    # G4 / 处罚法 48 ¶2: withdraw a disclosure within 3 working days of a change.
    withdrawal_working_days: int = 3
    extra: dict[str, Any] = field(default_factory=dict)


def load_law(path: str | None = None) -> Law:
    """The law constants, with a province's overrides from ``OVERSIGHT_LAW_FILE`` if set."""
    path = path or os.environ.get("OVERSIGHT_LAW_FILE")
    if not path:
        return Law()
    with open(path, encoding="utf-8") as f:
        overrides: dict[str, Any] = json.load(f)
    known = {f.name: f for f in dataclasses.fields(Law)}
    kwargs: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in known:
            raise ValueError(f"OVERSIGHT_LAW_FILE: unknown key {key!r}")
        if key == "legal_review_qualification_from":
            value = date.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return Law(**kwargs)


LAW = load_law()
