"""Reads and inserts that every request of a busy endpoint makes, written as SQL once from the models'
metadata: rows read back into instances with `Model.from_db`, the way the ORM reads them (same columns,
same value converters), and rows inserted with the values the model's own fields prepare, as save() does.
bench enrolment: compiling the same select_related() query on every request cost more CPU than the
database spent answering it, and a save() cost three times its INSERT. Keep this for a handful of hot
statements; everything else uses the ORM."""

import functools
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Model


@dataclass(frozen=True)
class Columns:
    """The concrete fields of `model` as selected from the table aliased `alias`."""

    model: type[Model]
    alias: str

    @property
    def fields(self):
        return self.model._meta.concrete_fields

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def reader(self):
        """A function (row, start) → (instance or None, next start): None where the row's primary key is
        NULL (a LEFT JOIN that found nothing)."""
        fields = self.fields
        names = [field.attname for field in fields]
        pk_index = [field.primary_key for field in fields].index(True)
        converters = []
        for index, field in enumerate(fields):
            column = field.get_col(self.alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((index, found, column))
        model, width, alias = self.model, len(fields), connection.alias

        def read(row, start: int):
            values = list(row[start : start + width])
            if values[pk_index] is None:
                return None, start + width
            for index, functions, column in converters:
                for convert in functions:
                    values[index] = convert(values[index], column, connection)
            return model.from_db(alias, names, values), start + width

        return read


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


@functools.cache
def _insert_sql(model: type[Model], conflict: tuple[str, ...]) -> tuple[str, list]:
    """`INSERT … [ON CONFLICT (conflict) DO NOTHING] RETURNING id` for every column but the id, and the
    fields whose values it takes."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    unless = ""
    if conflict:
        unless = f" ON CONFLICT ({', '.join(column(model, name) for name in conflict)}) DO NOTHING"
    sql = (
        f"INSERT INTO {table(model)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        f"{unless} RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def insert(instance: Model, *, unless_conflict_on: tuple[str, ...] = ()) -> bool:
    """Insert a new instance in one statement and set its id, as save() would, but with no pre_save or
    post_save (so only for models nothing listens to, or whose listeners the caller tells by other means).
    With `unless_conflict_on` (the fields of a unique constraint), a row that would break the constraint
    is not inserted and False comes back, with no savepoint to catch an IntegrityError in."""
    if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35: no RETURNING
        try:
            with transaction.atomic():
                instance.save(force_insert=True)
        except IntegrityError:
            if not unless_conflict_on:
                raise
            return False
        return True
    sql, fields = _insert_sql(type(instance), tuple(unless_conflict_on))
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding, instance._state.db = False, connection.alias
    return True
