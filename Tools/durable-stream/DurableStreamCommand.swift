import ArgumentParser

@main
struct DurableStreamCommand: AsyncParsableCommand {}
