package main

var wording = administratorPromptWording
