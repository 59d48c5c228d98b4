"""Operating the bot: `doctor` checks an installation, `backup` and `restore` keep its data."""
