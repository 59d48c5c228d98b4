"""All commands and flows in one place: the engine the bot runs."""

from __future__ import annotations

from conversations.engine import Engine
from conversations.flow import Command, Context
from conversations.grants.application import ApplyForGrant, ContinueApplication, run_apply
from conversations.grants.figures import run_export, run_stats
from conversations.grants.my_applications import run_my_applications
from conversations.grants.report import ReportOnProject, run_report
from conversations.grants.review import ReviewApplications, run_review
from conversations.markers import N_
from conversations.meetings.attendance import Attendees, run_attendees
from conversations.meetings.invitations import (
    ChangeMeeting,
    answer_invitation,
    change_meeting,
    choose_guests,
    run_meetings,
)
from conversations.meetings.planning import NewMeeting, run_new_meeting
from conversations.menu import run_help, run_menu, show_menu
from conversations.office.ask import AskOffice, run_ask
from conversations.office.lessons import turn_into_topic
from conversations.office.staff import (
    AnswerQuestion,
    CloseQuestion,
    answer_question,
    close_question,
    run_questions,
    show_question,
    take_question,
)
from conversations.office.thread import ReplyToAnswer, mark_solved, reply_to_answer
from conversations.outreach.broadcast import SendBroadcast, run_broadcast, stop_broadcast
from conversations.outreach.contacts import LocalContactsFlow
from conversations.outreach.info import Information, run_info, understand
from conversations.outreach.survey import NewSurvey, run_survey
from conversations.outreach.survey_answers import AnswerInWords, answer_in_words, choose_answer
from conversations.outreach.survey_results import SurveyResultsFlow, run_results
from conversations.people.consent import ask_consent
from conversations.people.linking import LinkMessengers, run_link
from conversations.people.my_data import run_mydata
from conversations.people.onboarding import Onboarding, run_start
from conversations.people.privacy import DeleteData, run_deletemydata, run_privacy
from conversations.people.settings import ChooseLanguage, Settings, run_language, run_settings
from conversations.people.staff import run_staff
from conversations.roles import Permission


async def run_cancel(ctx: Context) -> None:
    _ = ctx.t.gettext
    if ctx.state.active:
        ctx.state.clear()
        ctx.say(_("Cancelled."))
    else:
        ctx.say(_("There is nothing to cancel."))
    if ctx.user.onboarded:
        await show_menu(ctx)
    else:
        ctx.say(_("Send /start when you want to continue."))


def build_engine() -> Engine:
    engine = Engine(show_menu=show_menu, understand=understand, consent=ask_consent)
    for flow in (
        Onboarding(),
        ChooseLanguage(),
        Settings(),
        DeleteData(),
        ApplyForGrant(),
        ContinueApplication(),
        ReviewApplications(),
        ReportOnProject(),
        NewMeeting(),
        ChangeMeeting(),
        Attendees(),
        Information(),
        LocalContactsFlow(),
        SendBroadcast(),
        NewSurvey(),
        AnswerInWords(),
        SurveyResultsFlow(),
        LinkMessengers(),
        AskOffice(),
        AnswerQuestion(),
        CloseQuestion(),
        ReplyToAnswer(),
    ):
        engine.add_flow(flow)
    for command in (
        Command(
            "start", N_("Start or restart the conversation"), run_start, before_onboarding=True
        ),
        Command("menu", N_("Show the main menu"), run_menu),
        Command("help", N_("What I can do"), run_help, before_onboarding=True, keeps_flow=True),
        Command("apply", N_("Apply for funding for a micro-project"), run_apply),
        Command("myapplications", N_("Your applications and their state"), run_my_applications),
        Command("report", N_("Report on an approved project"), run_report),
        Command("meetings", N_("Coming network meetings"), run_meetings),
        Command("info", N_("Information for newcomers"), run_info),
        Command("ask", N_("Ask the district office a question"), run_ask),
        Command("language", N_("Change the language"), run_language, before_onboarding=True),
        Command("settings", N_("Change language and region"), run_settings),
        Command("cancel", N_("Stop what you are doing"), run_cancel, before_onboarding=True),
        Command(
            "privacy",
            N_("How your data is used"),
            run_privacy,
            before_onboarding=True,
            keeps_flow=True,
        ),
        Command("mydata", N_("Show what is stored about you"), run_mydata, keeps_flow=True),
        Command("deletemydata", N_("Delete everything stored about you"), run_deletemydata),
        Command(
            "link",
            N_("Use Gemeinsam in a second messenger"),
            run_link,
            before_onboarding=True,
        ),
        Command("review", N_("Decide on applications"), run_review, permission=Permission.STAFF),
        Command(
            "questions",
            N_("Questions waiting for an answer"),
            run_questions,
            permission=Permission.STAFF,
        ),
        Command(
            "newmeeting", N_("Plan a network meeting"), run_new_meeting, permission=Permission.STAFF
        ),
        Command(
            "attendees", N_("Who comes to a meeting"), run_attendees, permission=Permission.STAFF
        ),
        Command(
            "broadcast", N_("Send an announcement"), run_broadcast, permission=Permission.STAFF
        ),
        Command("survey", N_("Ask a needs survey"), run_survey, permission=Permission.STAFF),
        Command("results", N_("Results of the surveys"), run_results, permission=Permission.STAFF),
        Command(
            "stats", N_("Figures of the funding programme"), run_stats, permission=Permission.STAFF
        ),
        Command(
            "export",
            N_("All applications as a spreadsheet file"),
            run_export,
            permission=Permission.STAFF,
        ),
        Command(
            "staff",
            N_("Staff members of the district office"),
            run_staff,
            permission=Permission.STAFF,
        ),
    ):
        engine.add_command(command)
    engine.add_action("rsvp", answer_invitation)
    engine.add_action("guests", choose_guests)
    engine.add_action("meetedit", change_meeting)
    engine.add_action("bcstop", stop_broadcast)
    engine.add_action("survey", choose_answer)
    engine.add_action("surveytext", answer_in_words)
    engine.add_action("qshow", show_question)
    engine.add_action("qtake", take_question)
    engine.add_action("qanswer", answer_question)
    engine.add_action("qclose", close_question)
    engine.add_action("qreply", reply_to_answer)
    engine.add_action("qsolved", mark_solved)
    engine.add_action("qtopic", turn_into_topic)
    return engine
