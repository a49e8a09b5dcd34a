"""/api/v1/editions: the Marktzeitung's archive (office)."""

from __future__ import annotations

from flask import Response, abort
from sqlalchemy import select

from ... import editions, errors
from ...db import db
from ...models import EDITION_FILES, Edition, EditionFile
from .. import schemas as s
from ..common import Resource, blueprint, office_actor, problems

bp = blueprint("editions", "/api/v1/editions", "Marktzeitung (Büro)")


@bp.route("")
class Editions(Resource):
    @bp.response(200, s.EditionSchema(many=True))
    @problems(bp, 403)
    def get(self):
        """Alle Ausgaben der Marktzeitung, neueste zuerst (das Archiv)."""
        ring_id = office_actor().ring_id
        return db.session.scalars(
            select(Edition).where(Edition.ring_id == ring_id).order_by(Edition.number.desc())
        ).all()


@bp.route("/<int:edition_id>/files/<name>")
class EditionFiles(Resource):
    @bp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="application/pdf",
        description="Die PDF-Datei",
    )
    @problems(bp, 403, 404, 410)
    def get(self, edition_id: int, name: str):
        """Eine PDF-Datei einer erzeugten Ausgabe herunterladen."""
        edition = editions.edition_for(db.session, office_actor(), edition_id)
        file = (
            db.session.scalar(
                select(EditionFile).where(EditionFile.edition_id == edition.id, EditionFile.name == name)
            )
            if name in EDITION_FILES
            else None
        )
        if file is None:
            raise errors.EditionItemUnknown(item_id=name[:40])
        if file.content is None:
            abort(410)
        return Response(
            file.content,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{edition.year:04d}-{edition.month:02d}-{name}"'
            },
        )
