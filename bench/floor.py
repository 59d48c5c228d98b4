"""The floor: the least a python-telegram-bot bot does per message, answering each text with the
same text. Run as `python -m bench.floor` with TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL."""

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


if __name__ == "__main__":
    token, base_url = os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_BASE_URL"]
    application = Application.builder().token(token).base_url(base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling()
