"""Shift template commands (班次): add, change and delete the kinds of shift rosters are made
of, held to the rules the hall file's ``[[hall.shifts]]`` are (the 15-minute grid, a lunch break
that fits its window inside the shift, noon duty through the noon period). ``shift.changed``."""

from __future__ import annotations

from datetime import time

from ..config.staffing_reader import CODE_RE
from ..domain import Event
from ..errors import BadRequest, Conflict, NotFound
from ..queries.staffing_views import plain
from ..staffing import SLOT_MINUTES, NoonPolicy, ShiftTemplate
from .staffing_checks import Changed, text_field
from .unit import Commands, Unit


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _on_grid(t: time, field: str) -> None:
    if t.second or t.microsecond or _minutes(t) % SLOT_MINUTES:
        raise BadRequest(
            f"{field}: {t:%H:%M} 不在 {SLOT_MINUTES} 分钟的排班刻度上 / "
            f"{field}: {t.isoformat()} is not on the {SLOT_MINUTES}-minute grid rosters are planned on"
        )


def checked_template(t: ShiftTemplate, noon: NoonPolicy, hall: str) -> ShiftTemplate:
    """``t`` as hall ``hall``'s, its names stripped, or BadRequest naming the field that is wrong."""
    if not CODE_RE.fullmatch(t.code):
        raise BadRequest(
            f"code: 班次代码只能用字母、数字、'_' 和 '-'，最多 32 个 / "
            f"code: use letters, digits, '_' and '-', up to 32, got {t.code!r}"
        )
    name_zh = text_field(t.name_zh, "name_zh", "中文名称", required=True)
    name_en = text_field(t.name_en, "name_en", "英文名称") or t.code
    for value, field in ((t.start, "start"), (t.end, "end")):
        _on_grid(value, field)
    if t.end <= t.start:
        raise BadRequest(f"end: 班次须在开始后结束 / end: {t.end:%H:%M} is not after the start {t.start:%H:%M}")
    span = _minutes(t.end) - _minutes(t.start)
    if t.lunch_minutes < 0 or t.lunch_minutes % SLOT_MINUTES or t.lunch_minutes > span - SLOT_MINUTES:
        raise BadRequest(
            f"lunch_minutes: 午休须为 {SLOT_MINUTES} 分钟的倍数且短于班次 / lunch_minutes: must be a multiple of "
            f"{SLOT_MINUTES} from 0 to {span - SLOT_MINUTES} (the shift is {span} minutes), got {t.lunch_minutes}"
        )
    earliest, latest = t.lunch_earliest, t.lunch_latest
    if (earliest is None) != (latest is None):
        raise BadRequest("lunch_earliest, lunch_latest: 须同时给出 / lunch_earliest and lunch_latest go together")
    if earliest is not None and latest is not None:
        if not t.lunch_minutes:
            raise BadRequest("lunch_earliest: 没有午休时长 / lunch_earliest: set lunch_minutes too, or no lunch window")
        _on_grid(earliest, "lunch_earliest")
        _on_grid(latest, "lunch_latest")
        if not (t.start <= earliest < latest <= t.end):
            raise BadRequest(
                f"lunch_earliest, lunch_latest: 午休时段须在班次内 / the lunch window {earliest:%H:%M}-{latest:%H:%M} "
                f"must lie inside the shift {t.start:%H:%M}-{t.end:%H:%M}"
            )
        if t.lunch_minutes > _minutes(latest) - _minutes(earliest):
            raise BadRequest(
                f"lunch_minutes: 午休放不进午休时段 / lunch_minutes: a {t.lunch_minutes}-minute lunch does not fit "
                f"between {earliest:%H:%M} and {latest:%H:%M}"
            )
    elif t.lunch_minutes:
        earliest, latest = t.start, t.end  # no window given: the break may fall anywhere in the shift
    if t.noon_duty:
        period = f"{noon.start:%H:%M}-{noon.end:%H:%M}"
        if not (t.start <= noon.start and noon.end <= t.end):
            raise BadRequest(f"noon_duty: 午间值班须覆盖午间 {period} / noon_duty: the shift must cover {period}")
        if earliest is not None and latest is not None and earliest < noon.end and noon.start < latest:
            raise BadRequest(
                f"lunch_earliest, lunch_latest: 午间值班的午休须在午间 {period} 之外 / "
                f"a noon-duty lunch window must lie outside the noon period {period}"
            )
    return ShiftTemplate(hall, t.code, name_zh, name_en, t.start, t.end, t.lunch_minutes, earliest, latest, t.noon_duty)


def _recorded(u: Unit, change: str, template: ShiftTemplate, by: str | None) -> None:
    detail = {"change": change, "shift": plain(template)}
    u.record(Event(hall=u.hall.slug, kind="shift.changed", at=u.now, staff=by, detail=detail))


def _stored(u: Unit, code: str) -> ShiftTemplate:
    found = u.tx.shift_template(code)
    if found is None:
        raise NotFound(f"没有班次 {code} / shift template {code!r} does not exist in {u.hall.slug}")
    return found


class ShiftCommands(Commands):
    def add_shift_template(self, slug: str, template: ShiftTemplate, by: str | None = None) -> Changed[ShiftTemplate]:
        with self._unit(slug) as u:
            new = checked_template(template, u.hall.noon, slug)
            if u.tx.shift_template(new.code) is not None:
                raise Conflict(f"班次代码 {new.code} 已存在 / code: shift template {new.code!r} already exists")
            u.tx.put_shift_template(new)
            _recorded(u, "add", new, by)
        return Changed(new, u.events)

    def change_shift_template(
        self, slug: str, template: ShiftTemplate, by: str | None = None
    ) -> Changed[ShiftTemplate]:
        """Replace the template of ``template.code`` (rosters already made keep their times)."""
        with self._unit(slug) as u:
            _stored(u, template.code)
            new = checked_template(template, u.hall.noon, slug)
            u.tx.put_shift_template(new)
            _recorded(u, "change", new, by)
        return Changed(new, u.events)

    def delete_shift_template(self, slug: str, code: str, by: str | None = None) -> Changed[ShiftTemplate]:
        with self._unit(slug) as u:
            old = _stored(u, code)
            u.tx.delete_shift_template(code)
            _recorded(u, "delete", old, by)
        return Changed(old, u.events)
