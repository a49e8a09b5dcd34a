"""The market of offers and requests, and the member's own listings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from .. import context, errors, listings
from ..db import db
from ..listings import EDITABLE, NEW_DAYS, category_counts, newest_listings, search, search_count
from ..models import Listing
from ..rings import categories_of
from ..units import format_day
from .common import (
    REFUSALS,
    actor,
    commit,
    current_member,
    member_required,
    refusal_or_404,
    refused,
    refused_page,
)
from .forms import AnswerForm, ListingForm

bp = Blueprint("market", __name__)

# Listings on one page of search results (the count says how many match in all).
PAGE_SIZE = 100


@bp.get("/markt")
@member_required
def index():
    member = current_member()
    categories = categories_of(db.session, member.ring_id)
    text = request.args.get("q", "")[:200]
    kind = request.args.get("art") if request.args.get("art") in ("offer", "request") else None
    category_id = request.args.get("rubrik", type=int)
    if category_id is not None and category_id not in {c.id for c in categories}:
        category_id = None
    new_only = request.args.get("neu") == "1"
    if not (text.strip() or kind or category_id or new_only):
        return render_template(
            "market/overview.html",
            categories=categories,
            counts=category_counts(db.session, member.ring_id, context.today()),
            newest=newest_listings(db.session, member.ring_id, context.today(), 8),
            new_days=NEW_DAYS,
        )
    criteria = {
        "ring_id": member.ring_id,
        "today": context.today(),
        "text": text,
        "kind": kind,
        "category_id": category_id,
        "new_only": new_only,
    }
    total = search_count(db.session, **criteria)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("seite", 1, type=int) or 1, 1), pages)
    found = search(db.session, **criteria, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    grouped = [(c, [item for item in found if item.category_id == c.id]) for c in categories]
    return render_template(
        "market/index.html",
        grouped=[g for g in grouped if g[1]],
        categories=categories,
        text=text,
        kind=kind,
        category_id=category_id,
        new_only=new_only,
        count=total,
        page=page,
        pages=pages,
        new_days=NEW_DAYS,
    )


@bp.get("/markt/<public_number>")
@member_required
def show(public_number: str):
    member = current_member()
    try:
        listing = listings.visible_listing(db.session, member, public_number, context.today())
    except REFUSALS:
        abort(404)
    return render_template(
        "market/show.html", shown=listings.card(db.session, listing, member), form=AnswerForm()
    )


@bp.get("/meine-inserate")
@member_required
def mine():
    member = current_member()
    return render_template(
        "market/mine.html",
        listings=db.session.scalars(listings.own_listings(member)).all(),
        today=context.today(),
        form=AnswerForm(),
    )


def _listing_form(member, listing: Listing | None = None) -> ListingForm:
    form = ListingForm(obj=listing) if listing is not None and request.method == "GET" else ListingForm()
    form.category.choices = [
        SelectChoice("", _("– bitte wählen –")),
        *(SelectChoice(c.id, c.name) for c in categories_of(db.session, member.ring_id)),
    ]
    if listing is not None and request.method == "GET":
        form.category.data = listing.category_id
    return form


@bp.route("/meine-inserate/neu", methods=["GET", "POST"])
@member_required
def new():
    member = current_member()
    form = _listing_form(member)
    if request.method == "GET":
        form.kind.data = request.args.get("art") if request.args.get("art") in ("offer", "request") else None
        return render_template("market/edit.html", form=form, listing=None)
    if not form.validate_on_submit():
        return render_template("market/edit.html", form=form, listing=None), 400
    try:
        listing = commit(
            lambda session: listings.create_listing(
                session,
                actor(),
                member=member,
                kind=form.kind.data,
                category_id=form.category.data,
                title=form.title.data,
                text=form.text.data,
                now=context.now(),
                district=form.district.data,
                availability=form.availability.data,
                price_hint=form.price_hint.data,
                print_in_paper=form.print_in_paper.data,
            )
        )
    except REFUSALS as refusal:
        return refused_page(refusal, "market/edit.html", reader=member, form=form, listing=None)
    flash(_("Ihr Inserat %(number)s ist erschienen.", number=listing.public_number), "success")
    return redirect(url_for("market.show", public_number=listing.public_number))


def _own_listing(listing_id: int) -> Listing:
    try:
        return listings.own_listing(db.session, actor(), current_member(), listing_id)
    except REFUSALS as refusal:
        refusal_or_404(refusal)
        abort(403)


@bp.route("/meine-inserate/<int:listing_id>/bearbeiten", methods=["GET", "POST"])
@member_required
def edit(listing_id: int):
    member = current_member()
    listing = _own_listing(listing_id)
    if listing.withdrawn_at is not None:
        refused(errors.ListingWithdrawn(number=listing.public_number))
        return redirect(url_for("market.mine"))
    form = _listing_form(member, listing)
    if request.method == "GET":
        return render_template("market/edit.html", form=form, listing=listing)
    form.kind.data = listing.kind  # the kind of a listing never changes
    if not form.validate_on_submit():
        return render_template("market/edit.html", form=form, listing=listing), 400
    changes = {name: getattr(form, "category" if name == "category_id" else name).data for name in EDITABLE}
    try:
        changed = commit(
            lambda session: listings.edit_listing(session, actor(), listing, now=context.now(), **changes)
        )
    except REFUSALS as refusal:
        return refused_page(refusal, "market/edit.html", reader=member, form=form, listing=listing)
    flash(_("Gespeichert.") if changed else _("Nichts geändert."), "success")
    return redirect(url_for("market.show", public_number=listing.public_number))


@bp.post("/meine-inserate/<int:listing_id>/verlaengern")
@member_required
def renew(listing_id: int):
    listing = _own_listing(listing_id)
    if not AnswerForm().validate_on_submit():
        abort(400)
    try:
        commit(lambda session: listings.renew_listing(session, actor(), listing, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal, reader=current_member())
    else:
        flash(_("Verlängert bis %(date)s.", date=format_day(listing.expires_on)), "success")
    return redirect(url_for("market.mine"))


@bp.post("/meine-inserate/<int:listing_id>/zurueckziehen")
@member_required
def withdraw(listing_id: int):
    listing = _own_listing(listing_id)
    if not AnswerForm().validate_on_submit():
        abort(400)
    try:
        commit(lambda session: listings.withdraw_listing(session, actor(), listing, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal, reader=current_member())
        return redirect(url_for("market.mine"))
    flash(_("Ihr Inserat %(number)s ist zurückgezogen.", number=listing.public_number), "success")
    return redirect(url_for("market.mine"))
