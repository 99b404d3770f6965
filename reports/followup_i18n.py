"""The words of the 回访 page (follow-up cases of 差评): Simplified Chinese first, English with
``?lang=en``. Keys start with ``fu_`` (the nav title excepted) and merge into ``i18n.STRINGS`` on
import, never overwriting another page's word."""

from __future__ import annotations

from typing import Final

from queue_server import EN, ZH

from .i18n import STRINGS

FOLLOW_UP_STRINGS: Final[dict[str, dict[str, str]]] = {
    ZH: {
        "nav_follow_ups": "回访",
        "fu_title": "差评回访工单",
        "fu_tab_open": "待处理",
        "fu_tab_due_soon": "即将到期",
        "fu_tab_overdue": "已逾期",
        "fu_tab_all": "全部",
        "fu_number": "票号",
        "fu_clerk": "窗口人员",
        "fu_score": "评分",
        "fu_due": "回访期限",
        "fu_state": "状态",
        "fu_owner": "负责人",
        "fu_none": "没有工单",
        "fu_pick": "选择左侧工单查看详情",
        "fu_comment": "评价内容",
        "fu_history": "处理记录",
        "fu_assign": "指派",
        "fu_note": "添加备注",
        "fu_call_back": "记录回访",
        "fu_method_phone": "电话",
        "fu_method_visit": "上门",
        "fu_method_sms": "短信",
        "fu_reached": "已联系上",
        "fu_response": "群众反馈",
        "fu_resolve": "办结",
        "fu_satisfied": "回访后满意",
        "fu_close": "关闭工单",
        "fu_appeal": "申诉",
        "fu_reason": "申诉理由",
        "fu_uphold": "申诉成立",
        "fu_reject": "驳回申诉",
        "fu_decision_note": "裁决说明",
        "fu_text": "说明",
        "fu_overdue_count": "逾期回访",
    },
    EN: {
        "nav_follow_ups": "Follow-ups",
        "fu_title": "Follow-up cases of bad ratings",
        "fu_tab_open": "Open",
        "fu_tab_due_soon": "Due soon",
        "fu_tab_overdue": "Overdue",
        "fu_tab_all": "All",
        "fu_number": "Ticket",
        "fu_clerk": "Clerk",
        "fu_score": "Score",
        "fu_due": "Due",
        "fu_state": "State",
        "fu_owner": "Owner",
        "fu_none": "No cases",
        "fu_pick": "Pick a case to see it",
        "fu_comment": "Comment",
        "fu_history": "History",
        "fu_assign": "Assign",
        "fu_note": "Add note",
        "fu_call_back": "Record call-back",
        "fu_method_phone": "Phone",
        "fu_method_visit": "Visit",
        "fu_method_sms": "SMS",
        "fu_reached": "Reached",
        "fu_response": "Visitor's response",
        "fu_resolve": "Resolve",
        "fu_satisfied": "Satisfied after call-back",
        "fu_close": "Close case",
        "fu_appeal": "Appeal",
        "fu_reason": "Reason",
        "fu_uphold": "Uphold appeal",
        "fu_reject": "Reject appeal",
        "fu_decision_note": "Decision note",
        "fu_text": "Text",
        "fu_overdue_count": "overdue follow-ups",
    },
}

for _lang, _words in FOLLOW_UP_STRINGS.items():
    STRINGS[_lang].update(_words)

__all__ = ["FOLLOW_UP_STRINGS"]
