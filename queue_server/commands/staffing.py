"""Staffing commands: the staff registry (add, update, deactivate, A/B partners) and who holds
each post (AB岗). Each is one transaction on its hall with a
``staff.changed`` or ``post.changed`` event; the API audits them through the gate."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import replace

from ..domain import Event
from ..errors import BadRequest, Conflict, NotFound
from ..queries.staffing_views import plain
from ..staffing import Post, Skill, StaffMember
from .staffing_checks import Changed, login_field, named_member, target_member, text_field
from .unit import Commands, Unit

MAX_WEIGHT = 2.0  # a skill's proficiency: (0, 2], 1 = fully able


class Keep(enum.Enum):
    """An update's "leave this as it is" (None means "none" for the partner)."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _skills(u: Unit, skills: Sequence[Skill]) -> tuple[Skill, ...]:
    seen: set[str] = set()
    for s in skills:
        if u.hall.service(s.service) is None:
            known = ", ".join(svc.code for svc in u.hall.services)
            raise BadRequest(
                f"skills: 本大厅没有事项 {s.service} / "
                f"skills: {s.service!r} is not a service of {u.hall.slug} ({known})"
            )
        if s.service in seen:
            raise BadRequest(f"skills: 事项 {s.service} 重复 / skills: {s.service!r} is listed twice")
        if not 0 < s.weight <= MAX_WEIGHT:
            raise BadRequest(
                f"skills: {s.service} 的熟练度须大于 0 且不超过 {MAX_WEIGHT:g} / "
                f"skills: the weight of {s.service} must be over 0 and at most {MAX_WEIGHT:g}, got {s.weight}"
            )
        seen.add(s.service)
    return tuple(sorted(skills, key=lambda s: s.service))


def _changed(u: Unit, member: StaffMember, change: str, by: str | None) -> None:
    u.tx.put_staff(member)
    detail = {"change": change, "staff": plain(member)}
    u.record(Event(hall=u.hall.slug, kind="staff.changed", at=u.now, staff=by, detail=detail))


def _post_changed(u: Unit, post: Post, by: str | None) -> None:
    u.tx.put_post(post)
    u.record(Event(hall=u.hall.slug, kind="post.changed", at=u.now, staff=by, detail={"post": plain(post)}))


def _unlink(u: Unit, login: str, partner: str, by: str | None) -> None:
    """``login`` is no longer paired with ``partner`` (if the registry still pairs them)."""
    other = u.tx.staff_member(login)
    if other is not None and other.partner == partner:
        _changed(u, replace(other, partner=None), "partner", by)


def _pair(u: Unit, member: StaffMember, partner: str | None, by: str | None) -> StaffMember:
    """``member`` with A/B ``partner`` (checked), the link made mutual: whoever either of them was
    paired with before is left without a partner."""
    if partner is not None:
        if partner == member.login:
            raise BadRequest(f"partner: 不能与自己结为AB岗 / partner: {member.login!r} cannot be their own partner")
        named_member(u, partner, "partner")
    if member.partner is not None and member.partner != partner:
        _unlink(u, member.partner, member.login, by)
    if partner is not None:
        other = named_member(u, partner, "partner")
        if other.partner not in (None, member.login):
            _unlink(u, other.partner, partner, by)
        if other.partner != member.login:
            _changed(u, replace(other, partner=member.login), "partner", by)
    return replace(member, partner=partner)


class StaffingCommands(Commands):
    # -- the staff registry --------------------------------------------------

    def staff(self, slug: str) -> list[StaffMember]:
        """The hall's staff registry (a read, like ``notices``): everyone, active or not, by login."""
        self.hall(slug)
        with self.store.reader(slug) as r:
            return r.staff()

    def add_staff(
        self,
        slug: str,
        login: str,
        name: str,
        *,
        department: str = "",
        skills: Sequence[Skill] = (),
        partner: str | None = None,
        by: str | None = None,
    ) -> Changed[StaffMember]:
        login_field(login)
        with self._unit(slug) as u:
            if u.tx.staff_member(login) is not None:
                raise Conflict(f"工作人员 {login} 已存在 / {login!r} is already on the staff of {slug}")
            member = StaffMember(
                hall=slug,
                login=login,
                name=text_field(name, "name", "姓名", required=True),
                department=text_field(department, "department", "部门"),
                skills=_skills(u, skills),
            )
            member = _pair(u, member, partner, by)
            _changed(u, member, "add", by)
        return Changed(member, u.events)

    def update_staff(
        self,
        slug: str,
        login: str,
        *,
        name: str | None = None,
        department: str | None = None,
        skills: Sequence[Skill] | None = None,
        partner: str | Keep | None = KEEP,
        by: str | None = None,
    ) -> Changed[StaffMember]:
        """Change what is given (``partner=None`` clears the A/B partner, on both sides)."""
        with self._unit(slug) as u:
            member = target_member(u, login)
            if name is not None:
                member = replace(member, name=text_field(name, "name", "姓名", required=True))
            if department is not None:
                member = replace(member, department=text_field(department, "department", "部门"))
            if skills is not None:
                member = replace(member, skills=_skills(u, skills))
            if not isinstance(partner, Keep) and partner != member.partner:
                if not member.active and partner is not None:
                    raise BadRequest(f"partner: 工作人员 {login} 已停用 / partner: {login!r} is no longer active")
                member = _pair(u, member, partner, by)
            _changed(u, member, "update", by)
        return Changed(member, u.events)

    def deactivate_staff(self, slug: str, login: str, by: str | None = None) -> Changed[StaffMember]:
        """Take ``login`` off duty for good (kept for the history): their A/B partner and the
        posts they hold are freed."""
        with self._unit(slug) as u:
            member = target_member(u, login)
            if not member.active:
                raise Conflict(f"工作人员 {login} 已停用 / {login!r} is already inactive in {slug}")
            member = _pair(u, member, None, by)
            for post in u.tx.posts():
                if login in (post.a, post.b):
                    freed = replace(post, a=None if post.a == login else post.a, b=None if post.b == login else post.b)
                    _post_changed(u, freed, by)
            member = replace(member, active=False)
            _changed(u, member, "deactivate", by)
        return Changed(member, u.events)

    # -- posts ---------------------------------------------------------------

    def set_post_holders(
        self, slug: str, code: str, a: str | None, b: str | None, by: str | None = None
    ) -> Changed[Post]:
        """Who holds post ``code`` (A) and stands in for them (B): between them they must be able
        to serve every service of the post."""
        with self._unit(slug) as u:
            post = u.tx.post(code)
            if post is None:
                raise NotFound(f"没有岗位 {code} / post {code!r} does not exist in {slug}")
            holders = [named_member(u, login, field) for login, field in ((a, "a"), (b, "b")) if login is not None]
            if a is not None and a == b:
                raise BadRequest(f"a, b: A岗和B岗不能是同一人 / a and b must be two people, got {a!r} twice")
            if holders:
                missing = [s for s in post.services if not any(h.can_serve(s) for h in holders)]
                if missing:
                    logins = [h.login for h in holders]
                    raise BadRequest(
                        f"a, b: {'、'.join(logins)} 都不会办理事项 {', '.join(missing)}（岗位 {code}） / "
                        f"a, b: nobody of {' and '.join(logins)} can serve {', '.join(missing)}, "
                        f"which post {code} serves"
                    )
            post = replace(post, a=a, b=b)
            _post_changed(u, post, by)
        return Changed(post, u.events)
