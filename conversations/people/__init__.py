"""People: setting up (language, role, region, consent), privacy (the notice, /mydata,
/deletemydata), settings, the staff list, and joining a second messenger (/link)."""
