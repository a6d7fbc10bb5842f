import CCurl
import SystemSupport

/// One libcurl easy handle set up for POSTs to one gateway URL, with its
/// connection cache: the connection stays open between calls and is reused.
///
/// Not thread-safe (libcurl's easy handles are not): `GatewayTransport`
/// uses it only under its lock, hence `@unchecked Sendable`.
final class CurlEasyHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let headers: UnsafeMutablePointer<curl_slist>
    /// libcurl's error text for the last transfer (`CURLOPT_ERRORBUFFER`).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let maximumResponseBytes: Int
    /// The answer's body, filled by the write callback.
    private var responseBody: [UInt8] = []
    private var responseTooLarge = false

    /// Makes the handle and sets every option that does not change between
    /// calls. The options are the transport's security policy; each is named
    /// here once.
    init(url: GatewayURL, configuration: GatewayTransportConfiguration) throws(GatewayConfigurationError) {
        func failure(_ problem: String) -> GatewayConfigurationError {
            GatewayConfigurationError(
                setting: "gatewayURL", value: url.text, problem: problem,
                remedy: "check that libcurl (libcurl4-openssl-dev) is installed and working"
            )
        }
        guard CurlGlobal.initialize(), let handle = curl_easy_init() else {
            throw failure("libcurl could not be initialized")
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in [
            "Content-Type: application/x-www-form-urlencoded;charset=utf-8",
            // The bodies are small: no 100-continue round trip.
            "Expect:",
        ] {
            guard let appended = curl_slist_append(list, header) else {
                curl_slist_free_all(list)
                curl_easy_cleanup(handle)
                throw failure("libcurl could not allocate a header list")
            }
            list = appended
        }
        self.handle = handle
        headers = list!
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        maximumResponseBytes = configuration.maximumResponseBytes

        var results: [(String, CURLcode)] = []
        func set(_ name: String, _ option: CURLoption, _ value: Int) {
            results.append((name, notifyd_curl_setopt_long(handle, option, value)))
        }
        func set(_ name: String, _ option: CURLoption, _ value: String?) {
            results.append((name, notifyd_curl_setopt_string(handle, option, value)))
        }
        set("URL", CURLOPT_URL, url.text)
        // Only the scheme the URL has: no redirect or proxy trick moves the
        // call to another protocol, and redirects are not followed at all
        // (CURLOPT_FOLLOWLOCATION stays 0): Alipay's gateway never redirects.
        set("PROTOCOLS_STR", CURLOPT_PROTOCOLS_STR, url.scheme.rawValue)
        set("FOLLOWLOCATION", CURLOPT_FOLLOWLOCATION, 0)
        set("POST", CURLOPT_POST, 1)
        set("SSL_VERIFYPEER", CURLOPT_SSL_VERIFYPEER, 1)
        set("SSL_VERIFYHOST", CURLOPT_SSL_VERIFYHOST, 2)
        set("SSLVERSION", CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        if let caFile = configuration.caFile {
            // Instead of the system's store: Debian's libcurl also reads a
            // CA directory by default, which must be switched off too.
            set("CAINFO", CURLOPT_CAINFO, caFile)
            set("CAPATH", CURLOPT_CAPATH, nil)
        }
        if url.scheme == .http {
            // Plain http goes only to loopback; an http_proxy from the
            // environment must not carry it off the machine.
            set("PROXY", CURLOPT_PROXY, "")
        }
        // Signals are not for libraries: with NOSIGNAL, libcurl's threaded
        // resolver still honours the timeouts.
        set("NOSIGNAL", CURLOPT_NOSIGNAL, 1)
        set("CONNECTTIMEOUT_MS", CURLOPT_CONNECTTIMEOUT_MS, max(1, configuration.connectTimeout.inMilliseconds))
        set("TIMEOUT_MS", CURLOPT_TIMEOUT_MS, max(1, configuration.totalTimeout.inMilliseconds))
        set("TCP_KEEPALIVE", CURLOPT_TCP_KEEPALIVE, 1)
        set("USERAGENT", CURLOPT_USERAGENT, "alipay-notifyd")
        results.append(("HTTPHEADER", notifyd_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headers)))
        results.append(("ERRORBUFFER", notifyd_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)))
        // Refused before reading when Content-Length announces more.
        results.append((
            "MAXFILESIZE_LARGE",
            notifyd_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maximumResponseBytes))
        ))
        results.append(("WRITEFUNCTION", notifyd_curl_setopt_write_function(handle) { data, size, count, context in
            let sink = Unmanaged<CurlEasyHandle>.fromOpaque(context!).takeUnretainedValue()
            return sink.append(UnsafeRawBufferPointer(start: data, count: size * count))
        }))
        results.append((
            "WRITEDATA",
            notifyd_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
        ))
        if let (name, code) = results.first(where: { $0.1 != CURLE_OK }) {
            throw failure("libcurl refused CURLOPT_\(name): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
        errorBuffer.deallocate()
    }

    /// An empty C string that never moves: what CURLOPT_POSTFIELDS points
    /// at between calls.
    private static var noBody: UnsafePointer<CChar> {
        UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// The write callback's work: returns the bytes taken. Taking none (0)
    /// aborts the transfer with CURLE_WRITE_ERROR once the body would cross
    /// the limit (an answer without Content-Length, such as a chunked one).
    private func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard responseBody.count + bytes.count <= maximumResponseBytes else {
            responseTooLarge = true
            return 0
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    /// POSTs `body` on the cached connection (or a new one) and waits for
    /// the whole answer. `curl_easy_perform`.
    func post(_ body: [UInt8]) -> Result<GatewayResponse, CurlTransferFailure> {
        responseBody.removeAll(keepingCapacity: true)
        responseTooLarge = false
        errorBuffer[0] = 0
        // CURLOPT_POSTFIELDS is not copied: the bytes must stay put until
        // the transfer ends, so it runs inside the closure. A NUL keeps an
        // empty body from being a null pointer (which means "read callback").
        let bytes = body + [0]
        let code = bytes.withUnsafeBufferPointer { buffer in
            let pointer = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            _ = notifyd_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            _ = notifyd_curl_setopt_string(handle, CURLOPT_POSTFIELDS, pointer)
            let code = curl_easy_perform(handle)
            // Leave no pointer to freed memory in the handle between calls
            // (a static string lives as long as the program).
            _ = notifyd_curl_setopt_string(handle, CURLOPT_POSTFIELDS, Self.noBody)
            return code
        }
        guard code == CURLE_OK else {
            return .failure(failure(code))
        }
        var status = 0
        _ = notifyd_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let response = GatewayResponse(status: status, body: responseBody)
        responseBody = []
        return .success(response)
    }

    /// What libcurl knows about the failed transfer.
    private func failure(_ code: CURLcode) -> CurlTransferFailure {
        var verifyResult = 0
        _ = notifyd_curl_getinfo_long(handle, CURLINFO_SSL_VERIFYRESULT, &verifyResult)
        var osErrno = 0
        _ = notifyd_curl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        var requestSize = 0
        _ = notifyd_curl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize)
        let buffered = String(cString: errorBuffer)
        return CurlTransferFailure(
            curlCode: Int(code.rawValue),
            verifyResult: verifyResult,
            osErrno: Int32(truncatingIfNeeded: osErrno),
            requestSent: requestSize > 0,
            responseTooLarge: responseTooLarge,
            message: buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        )
    }
}
