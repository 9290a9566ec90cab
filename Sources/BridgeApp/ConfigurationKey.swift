/// One key of the configuration file: its name, default and meaning, as docs/configuration.md
/// lists it, and whether the bridge accepts it.
struct ConfigurationKey: Sendable {
    /// What the bridge does with the key.
    enum Use: Sendable {
        /// Read and honoured.
        case accepted
        /// Another name for `of` (a key of this section, dotted), kept so older files still load.
        case alias(of: String)
        /// A key Prometheus has that the bridge cannot honour; the reason is the error message.
        case refused(reason: String)
    }

    /// The key as written in YAML.
    let name: String
    /// The default, as the docs show it (`—`: none).
    let defaultValue: String
    /// One sentence for the docs.
    let meaning: String
    /// Accepted, an alias or refused.
    let use: Use

    /// A key the bridge reads.
    init(_ name: String, _ defaultValue: String, _ meaning: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.meaning = meaning
        use = .accepted
    }

    /// A key kept as another name for `target`.
    static func alias(_ name: String, of target: String) -> ConfigurationKey {
        ConfigurationKey(name: name, defaultValue: "—", meaning: "the same as `\(target)`", use: .alias(of: target))
    }

    /// A key refused by name with `reason`.
    static func refused(_ name: String, _ reason: String) -> ConfigurationKey {
        ConfigurationKey(name: name, defaultValue: "—", meaning: "refused: \(reason)", use: .refused(reason: reason))
    }

    private init(name: String, defaultValue: String, meaning: String, use: Use) {
        self.name = name
        self.defaultValue = defaultValue
        self.meaning = meaning
        self.use = use
    }
}

/// The keys one YAML mapping may hold: its own, and those of shared groups it includes (the HTTP
/// client keys of every endpoint).
struct KeySet: Sendable {
    /// Where the mapping is, as the docs write it (`remote_write[].queue_config`).
    let path: String
    /// Its own keys, in the order the docs list them.
    let own: [ConfigurationKey]
    /// Shared groups whose keys the mapping holds too.
    let includes: [KeySet]

    /// A key set at `path`.
    init(_ path: String, _ own: [ConfigurationKey], including includes: [KeySet] = []) {
        self.path = path
        self.own = own
        self.includes = includes
    }

    /// Every key, own and included.
    var all: [ConfigurationKey] { own + includes.flatMap(\.all) }

    /// The key called `name`, if the mapping has one.
    func key(_ name: String) -> ConfigurationKey? { all.first { $0.name == name } }

    /// The names an operator may write here: every key not refused.
    var acceptedNames: [String] {
        all.compactMap { key in
            if case .refused = key.use { return nil }
            return key.name
        }
    }
}
