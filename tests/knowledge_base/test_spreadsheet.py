from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from knowledge_base.catalog import Catalog, KBValidationError
from knowledge_base.spreadsheet import slug

CSV_ROWS = [
    ["Pregunta", "Respuesta", "Alternativas", "Idioma", "Categoría", "Enlace", "id"],
    ["¿Vendéis tarjetas regalo?", "Sí, de 10 a 200 €.", "tenéis cheques regalo?|se puede regalar",
     "es", "regalos", "https://tienda.example/regalos", "regalo"],
    ["Do you sell gift cards?", "Yes, from 10 to 200 €.", "gift vouchers?\ncan I give a card",
     "en", "gifts", "", "regalo"],
    ["¿Cuánto tarda el envío?", "Entre 24 y 48 horas.", "", "", "", "", ""],
]


def _csv(rows: list[list[str]], delimiter: str) -> str:
    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, "\n", '"')):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in rows)


def _check_demo(catalog: Catalog) -> None:
    assert sorted(catalog.ids) == ["cuanto-tarda-el-envio", "regalo"]
    es, en = catalog.get("regalo", "es"), catalog.get("regalo", "en")
    assert es is not None and en is not None and en.lang == "en"
    assert es.alt_questions == ("tenéis cheques regalo?", "se puede regalar")
    assert en.alt_questions == ("gift vouchers?", "can I give a card")
    assert es.url == "https://tienda.example/regalos" and en.url is None
    assert es.category == "regalos" and es.source.endswith(":2")
    envio = catalog.get("cuanto-tarda-el-envio", "es")
    assert envio is not None and envio.lang == "es" and envio.answer == "Entre 24 y 48 horas."


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (",", "utf-8"), (";", "cp1252"), (",", "utf-8-sig")],
)
def test_a_good_csv_loads_with_either_delimiter_and_encoding(
    tmp_path: Path, delimiter: str, encoding: str
) -> None:
    rows = [[v.replace("€", "EUR") for v in row] for row in CSV_ROWS] if encoding == "cp1252" \
        else CSV_ROWS
    path = tmp_path / "faq.csv"
    path.write_bytes(_csv(rows, delimiter).encode(encoding))
    catalog = Catalog.load(path)
    _check_demo(catalog)
    assert catalog.get("regalo", "es").question == "¿Vendéis tarjetas regalo?"  # type: ignore[union-attr]


def test_line_breaks_inside_quoted_cells_keep_the_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_bytes('pregunta;respuesta;alternativas\r\n"¿Horario?";"De 9 a 18 h.\r\n'
                     'Sábados cerrado.";"hora\r\nabrís?"\r\n¿Envío?;\x0c;\r\n'.encode())
    with pytest.raises(KBValidationError) as err:
        Catalog.load(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}:3: empty answer (column 'respuesta'): write the answer or delete the row"]
    path.write_bytes(path.read_bytes().replace(b"\x0c", b"24 h"))
    horario = Catalog.load(path).get("horario")
    assert horario is not None and horario.answer == "De 9 a 18 h.\nSábados cerrado."
    assert horario.alt_questions == ("hora", "abrís?")


def test_a_directory_holding_a_csv_is_a_kb(tmp_path: Path) -> None:
    (tmp_path / "faq.csv").write_text(_csv(CSV_ROWS, ";"), encoding="utf-8")
    (tmp_path / "~$faq.xlsx").write_bytes(b"Excel lock file")  # ignored
    _check_demo(Catalog.load(tmp_path))


def _xlsx(path: Path, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_a_good_xlsx_loads_numbers_as_text_and_ignores_blank_trailing_rows(tmp_path: Path) -> None:
    path = tmp_path / "faq.xlsx"
    rows: list[list[object]] = [list(r) for r in CSV_ROWS]
    rows[0] = ["QUESTION", "answer", "Alternatives", "Language", "category", "URL", "ID"]
    rows.append(["¿Cuántas tallas hay?", 7, None, "Español", None, None, 42])
    rows += [[None] * 7, ["", "  ", None, None, None, None, None]]
    _xlsx(path, rows)
    catalog = Catalog.load(path)
    assert sorted(catalog.ids) == ["42", "cuanto-tarda-el-envio", "regalo"]
    tallas = catalog.get("42", "es")
    assert tallas is not None and tallas.answer == "7" and tallas.category == "faq"
    regalo = catalog.get("regalo", "en")
    assert regalo is not None and regalo.alt_questions == ("gift vouchers?", "can I give a card")


def test_a_formula_without_a_saved_value_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "faq.xlsx"
    _xlsx(path, [["pregunta", "respuesta"], ["¿Horario?", '="De 9 a " & "18 h"']])
    with pytest.raises(KBValidationError) as err:
        Catalog.load(path)
    assert f"{path}:2: column 'respuesta' holds a formula with no saved value" in str(err.value)


def test_every_bad_row_is_reported_and_nothing_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "faq.xlsx"
    _xlsx(path, [
        ["pregunta", "respuesta", "idioma", "id"],
        ["¿Envío gratis?", "Desde 50 €.", "es", "envio"],     # 2 fine
        ["¿Devoluciones?", None, "es", "devolucion"],          # 3 missing answer
        ["Livraison?", "Oui", "fr", "livraison"],              # 4 unknown language
        ["¿Envío gratis a Canarias?", "No.", "es", "envio"],   # 5 duplicate id
        [None, "Sin pregunta", "es", None],                    # 6 missing question
    ])
    with pytest.raises(KBValidationError) as err:
        Catalog.load(path)
    text = str(err.value)
    assert f"{path}:3: empty answer (column 'respuesta')" in text
    assert f"{path}:4: unknown language 'fr' in column 'idioma'" in text
    assert f"{path}:5: duplicate id 'envio' for lang 'es' (first defined at {path}:2)" in text
    assert f"{path}:6: empty question (column 'pregunta')" in text
    assert len(err.value.problems) == 4


def test_a_header_without_answer_or_with_an_unknown_column_says_what_to_rename(
    tmp_path: Path,
) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("pregunta;respuestas;notas\n¿Hola?;Hola;x\n", encoding="utf-8")
    with pytest.raises(KBValidationError) as err:
        Catalog.load(path)
    text = str(err.value)
    assert f"{path}:1: unknown column 'respuestas'" in text
    assert f"{path}:1: unknown column 'notas'" in text
    assert f"{path}:1: no 'answer' column" in text


def test_a_bad_row_in_one_file_keeps_the_whole_kb_from_loading(tmp_path: Path) -> None:
    (tmp_path / "bien.csv").write_text("question,answer\nHi?,Hello\n", encoding="utf-8")
    (tmp_path / "mal.csv").write_text("question,answer\nBye?,\n", encoding="utf-8")
    with pytest.raises(KBValidationError) as err:
        Catalog.load(tmp_path)
    assert [p.line for p in err.value.problems] == [2]


def test_the_same_question_twice_without_ids_names_both_rows(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("pregunta;respuesta\n¿Horario?;De 9 a 18 h.\n¿Envíos?;24 h.\n"
                    "¿horario?;De 10 a 20 h.\n", encoding="utf-8")
    with pytest.raises(KBValidationError) as err:
        Catalog.load(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}:4: same question as row 2 in 'es': merge the two rows, or give them different "
        "ids in an id column"]


def test_a_file_that_is_not_a_workbook_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "faq.xlsx"
    path.write_bytes(b"question,answer\n")
    with pytest.raises(KBValidationError, match=r"faq.xlsx:1: cannot read the workbook"):
        Catalog.load(path)


def test_a_sheet_in_a_language_directory_takes_its_language(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "faq.csv").write_text("question,answer\nHi?,Hello\n", encoding="utf-8")
    entry = Catalog.load(tmp_path).get("hi")
    assert entry is not None and entry.lang == "en"


def test_slug_is_stable_and_accent_free() -> None:
    assert slug("¿Cuánto tarda el envío a Canarias?") == "cuanto-tarda-el-envio-a-canarias"
    assert len(slug("palabra " * 40)) <= 60
