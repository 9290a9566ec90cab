extension ConfigurationSchema {
    /// The key tables of docs/configuration.md, one per key set, generated so that the docs list
    /// exactly the keys the parser reads (`ConfigurationSchemaTests` compares them).
    static var markdown: String {
        var text = ""
        for set in documented {
            let title: String
            switch set.path {
            case "": title = "Top level"
            case httpClient.path:
                title = "HTTP client keys (`kubernetes`, `scrape.static_targets[]`, `remote_write[]`, `stackstate`)"
            default: title = "`\(set.path)`"
            }
            text += "### \(title)\n\n"
            if !set.includes.isEmpty {
                text +=
                    "Also the [HTTP client keys](#http-client-keys-kubernetes-scrapestatic_targets-remote_write-stackstate).\n\n"
            }
            text += "| key | default | meaning |\n|---|---|---|\n"
            for key in set.own {
                text += "| `\(key.name)` | \(key.defaultValue) | \(key.meaning) |\n"
            }
            text += "\n"
        }
        return text
    }
}
