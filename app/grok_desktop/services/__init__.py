"""The app's verbs. Qt-free runners here are shared by the CLI; QObjects wrap them for the UI."""
