"""Gemeinsam, the chatbot of Landkreis Ludwigslust-Parchim: transport, storage and scheduling."""
