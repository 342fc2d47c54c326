"""The classifier: the issue's aliases, near neighbours, roles, speed, and measured accuracy."""

from __future__ import annotations

import time

import pytest

from etmf.inventory import classifier
from etmf.model import Level
from etmf.tmf.classify import ClassificationInput
from fixtures.classification_accuracy import LABELLED, evaluate, load_items, summarise


@pytest.mark.parametrize(
    ("title", "artifact", "subartifact"),
    [
        ("delegation log", "05.02.18", "Delegation of Authority Log"),
        ("DOA log", "05.02.18", "Delegation of Authority Log"),
        ("1572", "05.02.08", "Form FDA 1572"),
        ("Statement of Investigator", "05.02.08", "Form FDA 1572"),
        ("HREC approval", "04.01.02", "IRB or IEC Approval"),
        ("ethics approval", "04.01.02", "IRB or IEC Approval"),
        ("certificate of currency", "02.01.06", "Insurance Certificate"),
        ("受試者同意書", "02.02.03", "Informed Consent Form"),
        ("計畫主持人履歷", "05.02.04", "Principal Investigator Curriculum Vitae"),
        ("피험자 동의서", "02.02.03", "Informed Consent Form"),
        ("임상시험 계약서", "05.02.12", "Clinical Trial Agreement"),
        ("이수증", "05.02.07", "ICH-GCP Evidence of Training"),
    ],
)
def test_aliases_named_in_the_issue(title: str, artifact: str, subartifact: str) -> None:
    result = classifier().classify_title(title)
    assert (result.artifact, result.subartifact) == (artifact, subartifact)
    assert result.evidence, "every classification says what it matched"
    assert result.confidence > 0.3


@pytest.mark.parametrize(
    ("title", "artifact"),
    [
        ("PI CV - Dr Chen", "05.02.04"),
        ("Sub-Investigator CV - Dr Lee", "05.02.05"),
        ("CRA CV Jennifer Wu", "01.02.02"),
        ("Study coordinator CV", "05.02.06"),
        ("Protocol v3.0", "02.01.02"),
        ("Protocol Signature Page v3.0", "05.02.02"),
        ("Protocol Amendment 2 Signature Page", "05.02.03"),
        ("Protocol Amendment 2", "02.01.04"),
        ("IRB approval letter", "04.01.02"),
        ("IRB membership roster", "04.01.03"),
        ("IRB composition 2025", "04.01.03"),
        ("TFDA approval letter", "03.01.02"),
        ("SIV report", "05.03.01"),
        ("IMV report 4", "05.04.03"),
        ("Close-out visit report", "05.04.08"),
    ],
)
def test_near_neighbours(title: str, artifact: str) -> None:
    assert classifier().classify_title(title).artifact == artifact


def test_artifact_number_in_the_name_wins() -> None:
    result = classifier().classify_title("05.02.18 scan 0042")
    assert result.artifact == "05.02.18"
    assert result.evidence[0].detail == "artifact number"


def test_a_cv_that_names_the_sites_pi_is_the_pi_cv() -> None:
    text = "Curriculum Vitae\nName: Lin Mei-Hua, MD\nChang Gung Memorial Hospital"
    as_pi = classifier().classify(
        ClassificationInput(
            filename="cv_2025.pdf", text=text, level=Level.SITE, pi_names=("Lin Mei-Hua",)
        )
    )
    assert as_pi.artifact == "05.02.04"
    assert any("PI" in e.text for e in as_pi.evidence)
    sub_i = classifier().classify(
        ClassificationInput(
            filename="cv_2025.pdf",
            text="Sub-Investigator Curriculum Vitae\n" + text,
            level=Level.SITE,
            pi_names=("Chen Wei-Lin",),
        )
    )
    assert sub_i.artifact == "05.02.05"


def test_title_line_outweighs_documents_listed_below_it() -> None:
    text = (
        "Human Research Ethics Committee - Notice of Approval\n"
        "Documents approved: Protocol v4.0; PICF v2.0; Investigator's Brochure Ed 11\n"
    )
    result = classifier().classify(ClassificationInput(filename="scan_0377.pdf", text=text))
    assert result.artifact == "04.01.02"


def test_ocr_noise_is_repaired() -> None:
    assert classifier().classify_title("lnformed C0nsent Form").artifact == "02.02.03"
    assert classifier().classify_title("Curriculurn Vitae").artifact is not None
    assert classifier().classify_title("IRB Rost er").artifact == "04.01.03"


def test_unknown_text_is_unclassified() -> None:
    result = classifier().classify_title("holiday photos 2024")
    assert result.artifact is None
    assert result.confidence == 0.0


def test_fast_enough_for_100000_documents() -> None:
    titles = [f"IRB approval letter site {n:03d} 2025-02-03" for n in range(2000)]
    started = time.perf_counter()
    for title in titles:
        classifier().classify_title(title)
    per_title = (time.perf_counter() - started) / len(titles)
    assert per_title < 0.002, f"{per_title * 1000:.2f} ms per title"


@pytest.mark.slow
def test_accuracy_on_the_labelled_set() -> None:
    items = load_items(LABELLED)
    assert len(items) >= 150
    table = summarise(evaluate(items))
    right, total = table["all"]
    assert right / total >= 0.97, table
    for language in ("tag:zh-Hant", "tag:ko", "tag:ocr", "tag:abbreviated"):
        right, total = table[language]
        assert right / total >= 0.9, (language, table[language])
    zones = {key for key in table if key.startswith("zone:")}
    assert len(zones) == 11
