"""Network meetings: staff plan and change them, people answer invitations (with guests and a
waiting list), the texts of invitations and reminders, and who came."""
