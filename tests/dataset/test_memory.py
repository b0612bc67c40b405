"""A served dataset of thousands of tools must fit in a small server: models share what they can."""

from __future__ import annotations

from doesittrain.dataset.load import load_dataset


def test_models_with_the_same_given_fields_share_one_set_and_still_know_them(tmp_path, example_dataset):
    text = (example_dataset / "exampleai.yaml").read_text(encoding="utf-8")
    (tmp_path / "exampleai.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "copy.yaml").write_text(text.replace("slug: exampleai", "slug: copy").replace("name: ExampleAI", "name: Copy")
                                        .replace("aliases: [example chat, exai]", "aliases: [copy chat]"), encoding="utf-8")
    tools = load_dataset(tmp_path).tools
    one, two = tools["exampleai"].plans[0], tools["copy"].plans[0]
    assert one.model_fields_set is two.model_fields_set
    assert {"id", "name", "audience", "training"} <= one.model_fields_set
    copied = one.model_copy(update={"name": "Renamed"})
    assert copied.model_fields_set is not one.model_fields_set  # a copy gets its own set, the shared one is untouched
    assert one.model_fields_set is two.model_fields_set
