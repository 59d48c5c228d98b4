"""Signal through a signal-cli daemon in HTTP mode: the channel (`channel`), the daemon's
JSON-RPC client and what its errors mean (`daemon`), events read as inbox entries (`envelopes`),
and a reply's HTML as Signal's styled text (`text`)."""

from bot.channels.signal.channel import SignalChannel
from bot.channels.signal.envelopes import GROUP_PREFIX, NAME

__all__ = ["GROUP_PREFIX", "NAME", "SignalChannel"]
