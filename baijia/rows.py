"""Reads that every request of a busy endpoint makes, written as SQL once from the models' metadata and
read back into instances with `Model.from_db`, the way the ORM reads them (same columns, same value
converters). bench enrolment: compiling the same select_related() query on every request cost more CPU
than the database spent answering it. Keep this for a handful of hot reads; everything else uses the ORM."""

from dataclasses import dataclass

from django.db import connection
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
