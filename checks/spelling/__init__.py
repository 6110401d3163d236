"""Spelling: slips in the team's own text, per language, without crying wolf.

family.py reads a page's text (text.py), its words (words.py), asks the language's Hunspell
dictionaries about each (dictionaries.py) and judges the words they reject (judge.py);
config.py is the `spelling:` section. Importing this package imports none of them."""
