"""The Learning Lessons sub group's area: reviews and recommendations, actions, relative due dates,
RAG, the 12-month impact review, the plans' CSV and JSON, the action-plan report and chase letters.

Services here take a ``Context``; scripts reach them through ``Tracker``.
"""
