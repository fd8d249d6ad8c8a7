"""What the console says, in Chinese first: names of events, stages, statuses and roles, and
the filters that show times in China time and money in yuan. Presentation only: no rule
lives here (rule titles and citations come from domain.rules)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.calendar import CHINA
from domain.rules import RULES

EVENTS = {
    # case
    "Filed": "立案",
    "ActRecorded": "执法行为",
    "EvidenceCollected": "调查取证",
    "EvidenceAssessed": "证据审查",
    "NoticeServed": "告知",
    "StatementReceived": "陈述申辩",
    "RecheckDone": "复核",
    "HearingRequested": "申请听证",
    "HearingHeld": "举行听证",
    "HearingWaived": "放弃听证",
    "LegalReviewed": "法制审核",
    "DiscussionHeld": "集体讨论",
    "RecusalRequested": "申请回避",
    "RecusalDecided": "回避决定",
    "Decided": "处罚决定",
    "DecisionServed": "送达",
    "DecisionRevoked": "决定被撤销或变更",
    "FineSettled": "罚款缴清",
    "Disclosed": "公示",
    "DisclosureWithdrawn": "撤回公示",
    "TransferReported": "涉嫌犯罪移送",
    "InterventionRecorded": "干预记录",
    "RemedySought": "申请复议或提起诉讼",
    "RemedyConcluded": "复议或诉讼终结",
    "ExecutionSuspended": "中止执行",
    "ExecutionResumed": "恢复执行",
    "Closed": "结案",
    "Archived": "归档",
    # fine
    "Imposed": "作出罚款",
    "DueDateSet": "确定缴款期限",
    "PaymentReceived": "银行收款",
    "CollectedOnTheSpot": "当场收缴",
    "CashHandedOver": "现金交至单位",
    "CashDeposited": "现金存入银行",
    "DeferralApproved": "批准暂缓或分期",
    "DemandServed": "催告",
    "CourtEnforcementApplied": "申请法院强制执行",
    "RemedyPending": "复议或诉讼期间",
    "RemedyEnded": "复议或诉讼结束",
    "RemittedToTreasury": "缴入国库",
    "Voided": "罚款作废",
    "Amended": "罚款变更",
    "StatementWaived": "放弃陈述申辩",
    "DecisionChanged": "决定变更",
    "DecisionConfirmedUnlawful": "确认违法",
    "CaseSuspended": "案件中止",
    "CaseResumed": "案件恢复",
    "PeriodExtended": "期限延长",
    "TestingRecorded": "检测检验期间",
    "EnforcementCarriedOut": "强制执行",
}
ACTS = {
    "inspection": "现场检查",
    "inquiry": "询问",
    "sealing": "查封",
    "seizure": "扣押",
    "sampling": "抽样取证",
    "registration_preservation": "先行登记保存",
    "on_site_record": "现场笔录",
    "detention": "扣留",
    "education": "教育",
    "preservation_disposal": "登记保存处理",
    "release": "解除",
    "other": "其他",
    "evidence": "取证",
    "notice": "告知",
    "service": "送达",
    "recheck": "复核",
    "re-check": "复核",
    "on-the-spot decision": "当场处罚决定",
    "on-the-spot collection": "当场收缴罚款",
    "enforcement (transfer_deposits)": "强制执行（划拨）",
    "enforcement (auction)": "强制执行（拍卖）",
    "enforcement (substitute_performance)": "强制执行（代履行）",
    "enforcement (remove_obstruction)": "强制执行（排除妨碍）",
    "enforcement (other)": "强制执行",
}
STAGES = {
    "filing": "立案",
    "investigation": "调查取证",
    "notice": "告知",
    "review": "法制审核",
    "transfer": "移送",
    "decision": "决定",
    "service": "送达",
    "execution": "执行",
    "archive": "归档",
}
STAGE_STATES = {"present": "已完成", "late": "逾期", "missing": "缺失", "pending": "未到", "na": "不适用"}
STATUSES = {
    "filed": "已立案",
    "investigating": "调查中",
    "noticed": "已告知",
    "hearing": "听证中",
    "reviewed": "已审核",
    "decided": "已决定",
    "served": "已送达",
    "executed": "已执行",
    "transferred": "已移送",
    "closed": "已结案",
    "archived": "已归档",
}
CERTIFICATES = {
    "valid": "有效",
    "none": "无证",
    "expired": "已过期",
    "suspended": "已暂扣",
    "revoked": "已取消资格",
    "unvalidated": "未通过年审",
    "auxiliary": "辅助人员（无证）",
    "unknown": "不在执法人员名册",
}
SEVERITIES = {"critical": "严重", "major": "较重", "minor": "一般", "info": "提示"}
ROLES = {
    "admin": "系统管理员",
    "officer": "执法人员",
    "unit_head": "单位负责人",
    "legal_reviewer": "法制审核人员",
    "bank": "代收银行",
    "supervisor": "执法监督机构",
    "auditor": "审计人员",
}
KINDS = {"officer": "执法人员", "auxiliary": "辅助人员", "legal_reviewer": "法制审核人员", "unit_head": "负责人"}
PAGES = {
    "cases": "案件",
    "findings": "审计发现",
    "officers": "执法人员",
    "fines": "罚没款",
    "scorecard": "案卷评查",
}
FINE_VIEWS = {
    "all": "全部",
    "outstanding": "未缴清",
    "overdue": "逾期",
    "surcharge": "有加处罚款",
    "breaches": "罚缴分离问题",
}
PROCEDURES = {"general": "普通程序", "simplified": "简易程序"}
OUTCOMES = {"penalty": "给予处罚", "no_penalty": "不予处罚", "transfer": "移送"}
CHECKS = {
    "signature": "检查点签名可用公布的公钥验证（Ed25519）",
    "sealed_leaf": "按存储的事件重新计算的叶哈希等于封存时的叶哈希",
    "path_root": "由重新计算的叶哈希沿审计路径得到的根等于签名检查点的根（RFC 9162 2.1.3.2）",
    "proof_root": "证明所用的树根即检查点的根",
}


def label(table: dict[str, str], key: Any) -> str:
    return table.get(str(key), str(key)) if key is not None else "—"


def cst(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time in China time (Asia/Shanghai); a bare date as it is."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return (value.astimezone(CHINA) if value.tzinfo else value).strftime(fmt)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def yuan(value: Any) -> str:
    """A decimal string of yuan as 1,234.50 元."""
    if value in (None, ""):
        return "—"
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{d:,.2f} 元"


def rule_title(rule_id: str) -> str:
    r = RULES.get(rule_id)
    return r.title if r else rule_id


def rule_citation(rule_id: str) -> str:
    r = RULES.get(rule_id)
    return r.citation if r else ""


def install(env: Any) -> None:
    """Register the filters and tables on a Jinja2 environment."""
    env.filters.update(
        cst=cst,
        yuan=yuan,
        event_label=lambda k: label(EVENTS, k),
        act_label=lambda k: label(ACTS, k),
        stage_label=lambda k: label(STAGES, k),
        stage_state=lambda k: label(STAGE_STATES, k),
        status_label=lambda k: label(STATUSES, k),
        cert_label=lambda k: label(CERTIFICATES, k),
        severity_label=lambda k: label(SEVERITIES, k),
        role_label=lambda k: label(ROLES, k),
        kind_label=lambda k: label(KINDS, k),
        page_label=lambda k: label(PAGES, k),
        view_label=lambda k: label(FINE_VIEWS, k),
        procedure_label=lambda k: label(PROCEDURES, k),
        outcome_label=lambda k: label(OUTCOMES, k),
        check_label=lambda k: label(CHECKS, k),
        rule_title=rule_title,
        rule_citation=rule_citation,
    )
