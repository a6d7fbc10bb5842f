import CCurl
import SystemSupport

/// One libcurl easy handle with its connection cache: the connection stays
/// open between requests and is reused by the next one to the same host.
///
/// Not thread-safe (libcurl's easy handles are not): `HTTPClient` lends
/// each handle to one request at a time, hence `@unchecked Sendable`.
package final class CurlEasyHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    /// libcurl's error text for the last transfer (`CURLOPT_ERRORBUFFER`).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let configuration: HTTPClientConfiguration
    /// Held so the share outlives every handle that uses it.
    private let share: CurlShare?
    /// The answer's body, filled by the write callback.
    private var responseBody: [UInt8] = []
    private var responseTooLarge = false

    /// Makes the handle and sets every option that does not change between
    /// requests. The options are the client's security policy; each is
    /// named here once.
    init(configuration: HTTPClientConfiguration, share: CurlShare?) throws(HTTPClientConfigurationError) {
        func failure(_ problem: String) -> HTTPClientConfigurationError {
            HTTPClientConfigurationError(
                setting: "url", value: "-", problem: problem,
                remedy: "check that libcurl (libcurl4-openssl-dev) is installed and working"
            )
        }
        guard CurlGlobal.initialize(), let handle = curl_easy_init() else {
            throw failure("libcurl could not be initialized")
        }
        self.handle = handle
        self.configuration = configuration
        self.share = share
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))

        var results: [(String, CURLcode)] = []
        func set(_ name: String, _ option: CURLoption, _ value: Int) {
            results.append((name, notifyd_curl_setopt_long(handle, option, value)))
        }
        func set(_ name: String, _ option: CURLoption, _ value: String?) {
            results.append((name, notifyd_curl_setopt_string(handle, option, value)))
        }
        // Redirects are not followed at all: none of the daemon's peers
        // redirects, and a redirect could carry a request elsewhere.
        set("FOLLOWLOCATION", CURLOPT_FOLLOWLOCATION, 0)
        set("SSL_VERIFYPEER", CURLOPT_SSL_VERIFYPEER, 1)
        set("SSL_VERIFYHOST", CURLOPT_SSL_VERIFYHOST, 2)
        set("SSLVERSION", CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        if let caFile = configuration.caFile {
            // Instead of the system's store: Debian's libcurl also reads a
            // CA directory by default, which must be switched off too.
            set("CAINFO", CURLOPT_CAINFO, caFile)
            set("CAPATH", CURLOPT_CAPATH, nil)
        }
        // Signals are not for libraries: with NOSIGNAL, libcurl's threaded
        // resolver still honours the timeouts.
        set("NOSIGNAL", CURLOPT_NOSIGNAL, 1)
        set("CONNECTTIMEOUT_MS", CURLOPT_CONNECTTIMEOUT_MS, max(1, configuration.connectTimeout.inMilliseconds))
        set("TIMEOUT_MS", CURLOPT_TIMEOUT_MS, max(1, configuration.totalTimeout.inMilliseconds))
        set("TCP_KEEPALIVE", CURLOPT_TCP_KEEPALIVE, 1)
        set("USERAGENT", CURLOPT_USERAGENT, "alipay-notifyd")
        results.append(("ERRORBUFFER", notifyd_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)))
        if let share {
            results.append(("SHARE", notifyd_curl_setopt_pointer(handle, CURLOPT_SHARE, share.handle)))
        }
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
        errorBuffer.deallocate()
    }

    /// An empty C string that never moves: what CURLOPT_POSTFIELDS points
    /// at between requests.
    private static var noBody: UnsafePointer<CChar> {
        UnsafeRawPointer(("" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// The write callback's work: returns the bytes taken. Taking none (0)
    /// aborts the transfer with CURLE_WRITE_ERROR once the body would cross
    /// the limit (an answer without Content-Length, such as a chunked one).
    private func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard responseBody.count + bytes.count <= configuration.maximumResponseBytes else {
            responseTooLarge = true
            return 0
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    /// Sends `request` on a kept connection (or a new one, trying every
    /// address the host has) and waits for the whole answer. `curl_easy_perform`.
    func perform(_ request: HTTPClientRequest) -> Result<HTTPClientResponse, CurlTransferFailure> {
        responseBody.removeAll(keepingCapacity: true)
        responseTooLarge = false
        errorBuffer[0] = 0
        guard let headers = Self.headerList(request.headers) else {
            return .failure(CurlTransferFailure(curlCode: Int(CURLE_OUT_OF_MEMORY.rawValue), verifyResult: 0, osErrno: 0,
                                                requestSent: false, responseTooLarge: false,
                                                message: "libcurl could not allocate the header list"))
        }
        defer { curl_slist_free_all(headers) }
        _ = notifyd_curl_setopt_string(handle, CURLOPT_URL, request.url.text)
        // Only the scheme the URL has: no redirect or proxy trick moves the
        // request to another protocol.
        _ = notifyd_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, request.url.scheme.rawValue)
        // Plain http to loopback must not be carried off the machine by an
        // http_proxy from the environment; "" switches proxies off, NULL
        // lets libcurl read the environment.
        let noProxy = !configuration.usesEnvironmentProxy || (request.url.scheme == .http && request.url.isLoopback)
        _ = notifyd_curl_setopt_string(handle, CURLOPT_PROXY, noProxy ? "" : nil)
        _ = notifyd_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headers)
        defer { _ = notifyd_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, nil) }

        let code: CURLcode
        switch request.method {
        case .get:
            _ = notifyd_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
            code = curl_easy_perform(handle)
        case .post:
            // CURLOPT_POSTFIELDS is not copied: the bytes must stay put until
            // the transfer ends, so it runs inside the closure. A NUL keeps
            // an empty body from being a null pointer (which means "read callback").
            let bytes = request.body + [0]
            code = bytes.withUnsafeBufferPointer { buffer in
                let pointer = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                _ = notifyd_curl_setopt_long(handle, CURLOPT_POST, 1)
                _ = notifyd_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                _ = notifyd_curl_setopt_string(handle, CURLOPT_POSTFIELDS, pointer)
                let code = curl_easy_perform(handle)
                // Leave no pointer to freed memory in the handle between
                // requests (a static string lives as long as the program).
                _ = notifyd_curl_setopt_string(handle, CURLOPT_POSTFIELDS, Self.noBody)
                return code
            }
        }
        guard code == CURLE_OK else {
            return .failure(failure(code))
        }
        var status = 0
        _ = notifyd_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let response = HTTPClientResponse(status: status, body: responseBody)
        responseBody = []
        return .success(response)
    }

    /// The request's header lines, and none that asks for a 100-continue
    /// round trip (the daemon's bodies are small).
    private static func headerList(_ headers: [(name: String, value: String)]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                return nil
            }
            list = appended
        }
        return list
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
