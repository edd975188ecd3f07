"""Offline, deterministic language understanding for the `local` brain.

- `intent.IntentClassifier`: which skill of which agent a message asks for (MiniLM similarity to the
  team's examples, word evidence, entity hints), `classify` (None = not understood), `rank`, and
  `split_intents` for messages that ask two agents for different things.
- `slots`: order and appointment references, e-mails, quantities, yes/no; `SlotReader` reads a
  `Slot` of any type; `Vocabulary` holds the business's products, services and cities.
- `names.NameIndex`: fuzzy names (typos, partial names, synonyms, ambiguity as `Mention`s).
- `dates`: dates, times and time windows from an injected `now`, in the business's time zone.
- `words`: normalising, words, stems without stop words, likely typos (`closest_word`).
- `vocabulary.load_vocabulary`: a business's products, services and towns as a `Vocabulary`.

How a dialogue manager uses them, per turn:
1. A pending question first: when the last turn asked for a slot or a confirmation, read that slot
   from the message (`SlotReader.read(..., expecting=True)`, `yes_no` for confirmations) before
   classifying; a clear answer continues the pending skill.
2. `split_intents(message, current_agent=...)`: one part, or several for different agents (fan out).
3. For each part, `classify(part, current_agent=...)` (or `rank` for the alternatives): the current
   agent gets a small bonus (`STICKY`), so a conversation stays with it while the topic holds and
   moves on a clear new topic. None means not understood: count a misunderstanding (unless the best
   was `OFF_TOPIC`) and hand off after `HandoffPolicy.max_misunderstandings` in a row.
4. Fill the skill's slots: from the message, then (`from_context`) from the values the
   conversation has seen most recently (last order ref, product, appointment, the contact's city);
   ask `skill.ask[slot]` for the first required slot still missing; offer ambiguous `Mention`s as a list.
"""

from frontdesk.services.agents.nlu.dates import TimeWindow, When, parse_date, parse_time, parse_when
from frontdesk.services.agents.nlu.intent import Intent, IntentClassifier, IntentPart
from frontdesk.services.agents.nlu.names import Match, Mention, Named, NameIndex
from frontdesk.services.agents.nlu.slots import SlotReader, Vocabulary, yes_no

__all__ = [
    "Intent",
    "IntentClassifier",
    "IntentPart",
    "Match",
    "Mention",
    "NameIndex",
    "Named",
    "SlotReader",
    "TimeWindow",
    "Vocabulary",
    "When",
    "parse_date",
    "parse_time",
    "parse_when",
    "yes_no",
]
