extension MetricBatch {
    /// One sample: name, labels (a range of ``MetricBatch/labels``), value, optional timestamp and exemplar.
    ///
    /// Every series of every kept scrape is one of these, so it is packed into 32 bytes (a plain
    /// struct of `Range<Int>` and two optionals takes 64): label bounds and the exemplar index as
    /// 32-bit numbers, the timestamp's presence as the top bit of the label count. A batch holds at
    /// most 2^32 labels and 2^31 on one sample, far beyond the largest body a scrape accepts.
    public struct Sample: Sendable, Hashable {
        /// The metric name of the sample (for a histogram bucket, `x_bucket`).
        public var name: Symbol
        private var labelStart: UInt32
        /// The number of labels in the low 31 bits; the top bit says a timestamp is present.
        private var labelCountAndTimestampFlag: UInt32
        /// The exemplar's index plus one; 0 for none.
        private var exemplarPlusOne: UInt32
        /// The sample value.
        public var value: Double
        /// The timestamp when the flag is set, else 0.
        private var timestampBits: Int64

        private static let timestampFlag: UInt32 = 1 << 31

        /// A sample named `name` whose labels are `labelRange` of its batch's labels.
        init(name: Symbol, labelRange: Range<Int>, value: Double, timestamp: Int64?, exemplar: Int?) {
            self.name = name
            self.value = value
            (labelStart, labelCountAndTimestampFlag, exemplarPlusOne, timestampBits) = (0, 0, 0, 0)
            self.labelRange = labelRange
            self.timestamp = timestamp
            self.exemplar = exemplar
        }

        /// Indices of the sample's labels in ``MetricBatch/labels``, in input order.
        public var labelRange: Range<Int> {
            get {
                let start = Int(labelStart)
                return start..<start + Int(labelCountAndTimestampFlag & ~Self.timestampFlag)
            }
            set {
                precondition(newValue.upperBound <= UInt32.max, "a batch holds at most 2^32 labels")
                precondition(newValue.count < Int(Self.timestampFlag), "a sample has at most 2^31 labels")
                labelStart = UInt32(newValue.lowerBound)
                labelCountAndTimestampFlag = UInt32(newValue.count) | labelCountAndTimestampFlag & Self.timestampFlag
            }
        }

        /// The explicit timestamp in milliseconds, if the exposition carried one.
        public var timestamp: Int64? {
            get { labelCountAndTimestampFlag & Self.timestampFlag != 0 ? timestampBits : nil }
            set {
                if let newValue {
                    timestampBits = newValue
                    labelCountAndTimestampFlag |= Self.timestampFlag
                } else {
                    // Cleared to 0 as well, so that equal samples have equal bits (Hashable).
                    timestampBits = 0
                    labelCountAndTimestampFlag &= ~Self.timestampFlag
                }
            }
        }

        /// Index into ``MetricBatch/exemplars``, if the sample carried an exemplar.
        public var exemplar: Int? {
            get { exemplarPlusOne == 0 ? nil : Int(exemplarPlusOne) - 1 }
            set {
                if let newValue {
                    precondition(newValue < UInt32.max, "a batch holds fewer than 2^32 exemplars")
                    exemplarPlusOne = UInt32(newValue) + 1
                } else {
                    exemplarPlusOne = 0
                }
            }
        }
    }
}
